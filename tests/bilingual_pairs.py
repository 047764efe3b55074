"""Ten Italian sentences and their English translations, written by hand.

Shared by tests/test_embedder.py and bench/embedders.py (whose recorded figures used them).
"""

PAIRS = [
    (
        "Il mio cappotto vintage ha trent'anni e lo adoro",
        "My vintage coat is thirty years old and I love it",
    ),
    ("Ricetta veloce di pasta al pomodoro fresco", "Quick recipe for pasta with fresh tomatoes"),
    ("Oggi allenamento di corsa lungo il fiume", "Today running training along the river"),
    ("Nuovo videogioco d'avventura provato in diretta", "New adventure video game tried live"),
    ("Crema viso naturale per la pelle sensibile", "Natural face cream for sensitive skin"),
    (
        "Weekend in montagna con la tenda e gli scarponi",
        "Weekend in the mountains with a tent and boots",
    ),
    ("Il mio cane adora le passeggiate al parco", "My dog loves walks in the park"),
    (
        "Come arredare un piccolo soggiorno con poco",
        "How to furnish a small living room on a budget",
    ),
    ("Primo giorno di scuola per mia figlia", "First day of school for my daughter"),
    (
        "Zero sprechi: la spesa sfusa con i barattoli di vetro",
        "Zero waste: bulk shopping with glass jars",
    ),
]
