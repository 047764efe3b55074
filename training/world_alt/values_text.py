"""Value themes in words: how creators say them in captions, how briefs name them.

The two sides are worded differently on purpose (a creator writes "riparo prima di
ricomprare", a brief says "economia circolare"): matching them is the system's job.
"""

from __future__ import annotations

# What creators write when a theme matters to them (it: four or more, en/es: two or three).
SAYS: dict[str, dict[str, tuple[str, ...]]] = {
    "it": {
        "circular": (
            "Riparo prima di ricomprare, sempre.", "Seconda mano prima scelta ♻️",
            "Niente si butta finché si può aggiustare.", "Usato, scambiato, rimesso a nuovo.",
        ),
        "craft": (
            "Fatto a mano, con calma.", "Adoro chi lavora con le mani e ci mette la faccia.",
            "Dietro ogni pezzo c'è una persona e un laboratorio.",
            "Il saper fare non si improvvisa.",
        ),
        "inclusive": (
            "Ogni corpo merita di sentirsi bene.", "Qui nessuno deve sentirsi sbagliato.",
            "Tutte le taglie, tutte le pelli, tutte le età.",
            "Bellezza senza filtri e senza regole.",
        ),
        "territory": (
            "Compro dal produttore a due passi da casa.", "Le cose buone nascono vicino.",
            "Viva chi tiene vivi i nostri paesi.", "Filiera corta, faccia conosciuta.",
        ),
        "animalcare": (
            "Nessun animale deve soffrire per un prodotto.", "Adottare è un atto d'amore.",
            "Solo roba testata sulle persone, non sugli animali.",
            "Il benessere di chi ha quattro zampe prima di tutto.",
        ),
        "plantbased": (
            "A tavola solo vegetale da quattro anni 🌱", "Legumi, cereali e tanta fantasia.",
            "Mangiare piante non è una rinuncia.",
            "Cucina vegetale per tutti, anche per gli scettici.",
        ),
        "affordable": (
            "Spendere poco e bene si può.", "Non serve spendere una fortuna.",
            "Occhio al prezzo, sempre.", "Consigli per chi arriva a fine mese col fiatone.",
        ),
        "mindful": (
            "Prendersi cura di sé non è egoismo.", "Rallentare per respirare.",
            "La testa va allenata come il corpo.", "Un momento solo per me, ogni giorno.",
        ),
        "kidsafe": (
            "Per i bimbi solo cose sicure e senza schifezze.",
            "Leggo ogni etichetta prima di darla ai miei figli.",
            "La sicurezza dei piccoli non è negoziabile.", "Materiali atossici o niente.",
        ),
        "performance": (
            "Dati alla mano, non chiacchiere.", "Testato sul campo, non in vetrina.",
            "Ogni secondo guadagnato conta.", "Voglio roba che funziona quando spingo.",
        ),
        "community": (
            "Da soli si va veloci, insieme si va lontano.", "Questa community è casa.",
            "Grazie a voi che ci siete sempre.", "Le cose belle si fanno in gruppo.",
        ),
        "transparency": (
            "Voglio sapere chi ha fatto le cose che compro.",
            "Prezzi chiari, fornitori dichiarati.",
            "Se un'azienda non risponde alle domande, non compro.", "Trasparenza o niente.",
        ),
        "slowliving": (
            "Vivere lento è una scelta.", "Meno cose, più tempo.",
            "La domenica senza sveglia è sacra.", "Il tempo buono non si compra.",
        ),
        "privacy": (
            "I miei dati restano miei.", "Open source quando si può.",
            "Leggo sempre le impostazioni della privacy.", "Niente app che spiano.",
        ),
        "adventure": (
            "Sempre con lo zaino pronto.", "Fuori dalla comfort zone, ogni volta che posso.",
            "La strada insegna più dei libri.", "Meglio fango che divano.",
        ),
        "premium": (
            "Pochi pezzi ma di qualità assoluta.", "Il dettaglio fa la differenza.",
            "Meglio un oggetto eccellente che dieci mediocri.", "Il lusso vero è discreto.",
        ),
    },
    "en": {
        "circular": ("Repair before replace, always.", "Secondhand first ♻️"),
        "craft": ("Made by hand, slowly.", "Support makers, not factories."),
        "inclusive": ("Every body deserves to feel good.", "All sizes, all skin, all ages."),
        "territory": ("Buying local whenever I can.", "Keep it close to home."),
        "animalcare": ("No animal should suffer for a product.", "Adopt, don't shop."),
        "plantbased": ("Plant-based for four years now 🌱", "Beans, grains and imagination."),
        "affordable": ("Good stuff doesn't have to cost a fortune.", "Budget-friendly always."),
        "mindful": ("Looking after yourself isn't selfish.", "Slow down and breathe."),
        "kidsafe": ("Only safe, non-toxic stuff for the kids.", "I read every label first."),
        "performance": ("Tested in the field, not in the shop.", "Numbers, not hype."),
        "community": ("This community is home.", "Better together."),
        "transparency": ("I want to know who made my things.", "Clear prices, named suppliers."),
        "slowliving": ("Less stuff, more time.", "Slow living is a choice."),
        "privacy": ("My data stays mine.", "Open source where possible."),
        "adventure": ("Always packed and ready.", "Mud over sofa."),
        "premium": ("Few things, the very best.", "Quiet luxury, nothing loud."),
    },
    "es": {
        "circular": ("Reparar antes que comprar.", "Segunda mano, primera opción ♻️"),
        "craft": ("Hecho a mano, sin prisa.", "Apoyo a quien trabaja con las manos."),
        "inclusive": (
            "Todos los cuerpos merecen sentirse bien.", "Todas las tallas, todas las edades.",
        ),
        "territory": ("Compro a productores de aquí.", "Lo bueno nace cerca."),
        "animalcare": ("Ningún animal debe sufrir por un producto.", "Adoptar es amor."),
        "plantbased": ("Comida vegetal desde hace años 🌱", "Legumbres y mucha imaginación."),
        "affordable": ("Gastar poco y bien se puede.", "No hace falta gastar una fortuna."),
        "mindful": ("Cuidarse no es egoísmo.", "Bajar el ritmo y respirar."),
        "kidsafe": ("Para los peques, solo cosas seguras.", "Leo cada etiqueta."),
        "performance": ("Probado en el terreno.", "Datos, no humo."),
        "community": ("Esta comunidad es casa.", "Juntos llegamos más lejos."),
        "transparency": ("Quiero saber quién hace lo que compro.", "Precios claros."),
        "slowliving": ("Menos cosas, más tiempo.", "Vivir despacio."),
        "privacy": ("Mis datos son míos.", "Código abierto cuando se puede."),
        "adventure": ("Siempre con la mochila lista.", "Mejor barro que sofá."),
        "premium": ("Pocas cosas, las mejores.", "El lujo de verdad es discreto."),
    },
}

HASHTAG: dict[str, tuple[str, str, str]] = {  # it, en, es
    "circular": ("#riuso", "#secondhandfirst", "#segundamano"),
    "craft": ("#fattoamano", "#handmade", "#hechoamano"),
    "inclusive": ("#bodypositive", "#allbodies", "#todosloscuerpos"),
    "territory": ("#kmzero", "#shoplocal", "#productoslocales"),
    "animalcare": ("#crueltyfree", "#adoptdontshop", "#sincrueldad"),
    "plantbased": ("#vegetale", "#plantbased", "#vegano"),
    "affordable": ("#risparmio", "#onabudget", "#ahorro"),
    "mindful": ("#benessere", "#selfcare", "#bienestar"),
    "kidsafe": ("#bambinisicuri", "#nontoxic", "#crianza"),
    "performance": ("#prestazioni", "#testedandtrusted", "#rendimiento"),
    "community": ("#community", "#community", "#comunidad"),
    "transparency": ("#filieratrasparente", "#whomademyclothes", "#transparencia"),
    "slowliving": ("#vitalenta", "#slowliving", "#vidalenta"),
    "privacy": ("#privacy", "#privacymatters", "#privacidad"),
    "adventure": ("#avventura", "#outdoors", "#aventura"),
    "premium": ("#qualità", "#quietluxury", "#calidad"),
}

# How briefs name each theme (noun phrases that read well in a list or a sentence).
BRIEF: dict[str, dict[str, tuple[str, ...]]] = {
    "it": {
        "circular": ("economia circolare", "riuso e riparazione", "seconda vita dei prodotti"),
        "craft": ("artigianalità", "lavorazione a mano", "il saper fare dei laboratori"),
        "inclusive": ("inclusività", "rappresentare tutti i corpi", "bellezza senza stereotipi"),
        "territory": ("filiera corta", "materie prime del territorio", "made in Italy autentico"),
        "animalcare": (
            "rispetto per gli animali", "nessun test sugli animali", "benessere animale",
        ),
        "plantbased": (
            "ingredienti vegetali", "alimentazione plant-based", "formule 100% vegetali",
        ),
        "affordable": ("prezzi accessibili", "qualità alla portata di tutti", "convenienza"),
        "mindful": ("benessere mentale", "cura di sé", "equilibrio tra corpo e mente"),
        "kidsafe": (
            "sicurezza dei bambini", "materiali atossici", "prodotti pensati per i più piccoli",
        ),
        "performance": ("prestazioni tecniche", "innovazione testata sul campo", "performance"),
        "community": ("comunità", "fare rete", "senso di appartenenza"),
        "transparency": ("trasparenza", "etica del lavoro", "fornitori dichiarati"),
        "slowliving": ("lentezza", "tempo di qualità", "slow living"),
        "privacy": ("privacy by design", "software aperto", "controllo dei propri dati"),
        "adventure": ("spirito d'avventura", "vita all'aria aperta", "esplorazione"),
        "premium": ("eccellenza", "lusso discreto", "qualità senza compromessi"),
    },
    "en": {
        "circular": ("circularity", "repair and reuse"),
        "craft": ("craftsmanship", "handmade"),
        "inclusive": ("inclusivity", "every body"),
        "territory": ("local sourcing", "short supply chains"),
        "animalcare": ("cruelty-free", "animal welfare"),
        "plantbased": ("plant-based", "vegan formulas"),
        "affordable": ("affordability", "fair prices"),
        "mindful": ("wellbeing", "self-care"),
        "kidsafe": ("child safety", "non-toxic materials"),
        "performance": ("performance", "engineering"),
        "community": ("community", "belonging"),
        "transparency": ("transparency", "fair labour"),
        "slowliving": ("slow living", "quality time"),
        "privacy": ("privacy first", "open source"),
        "adventure": ("adventure", "outdoor life"),
        "premium": ("excellence", "quiet luxury"),
    },
    "es": {
        "circular": ("economía circular", "reutilizar y reparar"),
        "craft": ("artesanía", "hecho a mano"),
        "inclusive": ("inclusividad", "todos los cuerpos"),
        "territory": ("producto local", "kilómetro cero"),
        "animalcare": ("respeto animal", "sin crueldad"),
        "plantbased": ("ingredientes vegetales", "cocina vegetal"),
        "affordable": ("precios justos", "calidad asequible"),
        "mindful": ("bienestar", "autocuidado"),
        "kidsafe": ("seguridad infantil", "materiales no tóxicos"),
        "performance": ("rendimiento", "innovación técnica"),
        "community": ("comunidad", "pertenencia"),
        "transparency": ("transparencia", "trabajo digno"),
        "slowliving": ("vida lenta", "tiempo de calidad"),
        "privacy": ("privacidad", "software libre"),
        "adventure": ("aventura", "vida al aire libre"),
        "premium": ("excelencia", "lujo discreto"),
    },
}
