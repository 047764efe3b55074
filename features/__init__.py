"""Creator, brand and pair features; text normalisation; disclosure and mention detection."""
