"""How Italian creators write: hashtags, openers, storytelling, slang, dialects, typos."""

from __future__ import annotations

TAGS_IT: dict[str, tuple[str, ...]] = {
    "fashion": ("#usatoèbello", "#vintageitalia", "#sartoria", "#fitcheck", "#armadiocapsula",
                "#curvyitalia", "#modaconsapevole", "#lookdelgiorno", "#mercatinodellusato"),
    "beauty": ("#skincareitalia", "#ricciitalia", "#makeupitalia", "#unghiedecorate",
               "#profumiditalia", "#pellesensibile", "#inci", "#trucconaturale"),
    "food": ("#cucinavegetale", "#brace", "#pasticceriacasalinga", "#caffèspecialty",
             "#ricettedellanonna", "#lievitomadre", "#mangiaresano", "#cucinaitaliana"),
    "travel": ("#vanlifeitalia", "#camminiditalia", "#borghiditalia", "#viaggiarelowcost",
               "#zainoinspalla", "#fuoristagione", "#italiasegreta"),
    "fitness": ("#corsaapiedi", "#calisthenicsitalia", "#yogaitalia", "#palestra",
                "#ciclismo", "#allenamentoacasa", "#runningitalia"),
    "parenting": ("#mammeitaliane", "#montessoriacasa", "#famiglianumerosa", "#papàpresente",
                  "#gravidanza", "#vitadamamma", "#svezzamento"),
    "tech": ("#tecnologia", "#domotica", "#pcgaming", "#fotografia", "#produttività",
             "#recensionetech", "#setupitalia"),
    "gaming": ("#retrogaming", "#gamingitalia", "#giochidatavolo", "#cozygames",
               "#twitchitalia", "#videogiochi", "#esportitalia"),
    "sustainability": ("#zerosprechi", "#sfuso", "#ortourbano", "#menoauto", "#riparare",
                       "#crisiclimatica", "#vivereverde", "#rifiutizero"),
    "home": ("#casamia", "#faidate", "#piantedaappartamento", "#decluttering",
             "#ristrutturazione", "#arredamento", "#casaorganizzata"),
    "pets": ("#cani", "#gattidiinstagram", "#adottanoncomprare", "#educazionecinofila",
             "#conigliliberi", "#vitadacane", "#micio"),
}  # fmt: skip

EMOJI: dict[str, tuple[str, ...]] = {
    "fashion": ("🧥", "👖", "🪡", "👟", "🧵", "🛍️"),
    "beauty": ("🧴", "💄", "💅", "🌸", "✨", "🪞"),
    "food": ("🍝", "🔥", "🥐", "☕", "🌱", "🍋"),
    "travel": ("🚐", "🥾", "🗺️", "🏔️", "🌅", "✈️"),
    "fitness": ("🏃‍♀️", "💪", "🧘", "🚴", "⏱️", "🔥"),
    "parenting": ("👶", "🧸", "🍼", "👨‍👧", "🤰", "❤️"),
    "tech": ("📱", "💻", "🔌", "📷", "⚙️", "🤖"),
    "gaming": ("🎮", "👾", "🕹️", "🎲", "🏆", "🔴"),
    "sustainability": ("♻️", "🌍", "🌿", "🚲", "🫙", "🌻"),
    "home": ("🏡", "🪴", "🛠️", "🕯️", "📦", "🛋️"),
    "pets": ("🐶", "🐱", "🐾", "🐰", "🐠", "🦴"),
}

EVERYDAY_IT = (
    "pizza del sabato con gli amici di sempre", "pioggia, tisana e una serie da finire",
    "compleanno di mia sorella, trent'anni e non sentirli", "lunedì, ne vogliamo parlare?",
    "tramonto dal terrazzo di casa", "domenica di niente assoluto",
    "ufficio, caffè e settanta mail", "esame passato, festeggio!!", "trasloco finito, forse",
    "pranzo dai suoceri, sopravvissuta", "matrimonio di un'amica, ho pianto dall'inizio",
    "scampagnata con i cugini", "notte bianca in centro", "ritorno a casa dopo un mese",
)  # fmt: skip

OPENERS_IT = ("Allora.", "Raga,", "Ok, confessione:", "Piccola storia:", "Aggiornamento:",
              "Ve lo dovevo.", "Non ci credo:", "Domanda seria:", "Finalmente", "POV:",
              "Giorno 3:", "Vi faccio vedere", "Ecco qua", "Piccolo traguardo:",
              "Ditemi che non sono l'unica:", "Buongiorno!!")  # fmt: skip
CLOSERS_IT = ("Voi che dite?", "Fatemi sapere 👇", "Salvatelo per dopo 📌", "Chi ci sta?",
              "Taggate chi deve vederlo", "Buona domenica a tutti", "Vi leggo tutti, giuro",
              "Domani la parte due", "Ne riparliamo tra un mese", "Rispondo a tutto nei commenti",
              "Voi come fate?", "Scrivetemi le vostre domande")  # fmt: skip

STORY_OPEN_IT = (
    "Tre anni fa non avrei mai pensato di scriverlo qui.", "Vi racconto com'è cominciata.",
    "Questa foto ha una storia lunga.", "Stamattina mi sono svegliata con un pensiero fisso.",
    "C'è stato un periodo in cui ero stanca di tutto.",
    "Mia nonna diceva sempre che le cose fatte bene chiedono tempo.",
    "Quando ho aperto questo profilo eravamo in quattro, io e tre amiche.",
    "Oggi post lungo, mettetevi comodi.", "Non l'ho mai raccontato a nessuno, ma eccoci.",
)  # fmt: skip
STORY_MID_IT = (
    "E poi è arrivato questo: {core}.", "Il punto è questo: {core}.",
    "All'inizio sembrava una follia ({core}), poi è diventata un'abitudine.",
    "Ci ho messo mesi ad arrivarci: {core}.", "Dove eravamo rimasti? Ah sì, {core}.",
)  # fmt: skip
STORY_TURN_IT = (
    "Non è perfetto, ma è mio.", "Lo so, sembra una sciocchezza. Per me non lo è.",
    "Ogni volta che ci penso mi viene da sorridere.",
    "Sbagliando si impara, e io ho sbagliato parecchio.",
    "È una cosa piccola ma mi ha cambiato le giornate.",
    "Chi mi segue da tanto sa quanto ci tenevo.", "Ci sono stati giorni no, tanti.",
)  # fmt: skip
STORY_AFTER_IT = ("Nel frattempo è successo anche questo: {core}.", "E adesso? Adesso {core}.",
                  "La cosa buffa è che poco dopo è arrivato altro: {core}.",
                  "Prossimo passo, se tutto va bene: {core}.")  # fmt: skip
STORY_END_IT = ("Grazie a chi ha letto fin qui ❤️", "Se siete arrivati fin qui, ditemi la vostra.",
                "Ci vediamo nelle storie.", "Alla prossima puntata.",
                "Un abbraccio a chi ne ha bisogno oggi.")  # fmt: skip

SLANG_IT = ("top", "spacca", "una bomba", "cringe lo so", "mood", "raga", "boh", "assurdo",
            "fotonico", "sto sclerando", "piangooo", "sto morendo", "hype a mille", "gasatissima",
            "svolta totale", "che vibe", "no vabbè", "troppo bello", "ansia a palla")  # fmt: skip
CODEMIX_IT = ("Weekend vibes", "Outfit check", "Daily reminder", "Self care time", "Comfort zone",
              "Mood of the day", "Throwback", "Must have", "Glow up", "Quick recap", "Plot twist",
              "Real talk", "Work in progress", "Before & after", "Slow morning")  # fmt: skip

# Interjections and short phrases by region (written as people type them, apostrophes and all).
DIALECT: dict[str, tuple[str, ...]] = {
    "roma": ("Daje!", "Ammazza oh", "Aò", "Anvedi", "Mo' basta", "Stai a scherzà?",
             "Che te lo dico a fa'", "'Na cifra", "Sto a morì"),
    "napoli": ("Uè!", "Jamme jà", "Tutt'appost", "Guagliù", "Stamm' bbuon'", "'Na cosa 'e pazz'",
               "Ma che sfizio", "Nun ce sta niente 'a fa'"),
    "veneto": ("Ostrega!", "Dai ciò", "Cossa xe sta roba", "Ndemo!", "Me piase", "Bon, ghe semo",
               "Tose e tosi"),
    "milano": ("Uè!", "Taaac", "Sbatti", "L'è bel", "Ghe pensi mi", "Bella zio", "Sciura mode on"),
    "sicilia": ("Mizzica!", "Amunì", "Talìa chi bellezza", "Che camurrìa", "Picciotti",
                "Bedda matri"),
    "torino": ("Cerea!", "Bogia nen", "Neh", "A l'è bel", "Su, dai, neh"),
    "bologna": ("Socc'mel", "Burdèl", "Dai mo'", "Cinno", "Ciò che roba"),
    "puglia": ("Uagliò", "Sciamm", "Ce sì bell", "Uè cumbà", "Ce ste fasc?"),
    "toscana": ("Bona lì", "Ganzo!", "'Un c'è verso", "Maremma che roba", "Icché tu dici?"),
    "ticino": ("Uè!", "Bell'e bun", "Grotto time", "Ciao neh"),
}  # fmt: skip

# Common real-world misspellings: (correct, as typed).
MISSPELL_IT = (("perché", "perchè"), ("un po'", "un pò"), ("qual è", "qual'è"),
               ("ce l'ho", "c'è l'ho"), ("un altro", "un'altro"), ("proprio", "propio"),
               ("sì", "si"), ("né", "nè"), ("però", "pero"), ("comunque", "cmq"),
               ("non", "nn"), ("per", "x"), ("tutti", "tt"))  # fmt: skip

# Unpaid mentions: {brand} is a handle or a plain name.
SHOUTOUT_IT = (
    "{core}. Tutto merito di {brand}, che uso da sempre.",
    "Non me l'ha chiesto nessuno ma: {brand} ❤️",
    "Ricomprato per la quarta volta da {brand}, nessuno mi paga eh 😂",
    "A chi mi chiede sempre dove prendo le cose: {brand}. Ecco, l'ho detto.",
    "{core} (con {brand}, come al solito)",
    "Piccola dichiarazione d'amore per {brand}",
    "{brand} mi ha salvato la settimana, di nuovo.",
    "Fedele a {brand} da prima che fosse di moda.",
    "Pensiero random: {brand} andrebbe protetto dall'UNESCO.",
    "{core}. Sì, ancora {brand}, non ce la faccio a cambiare.",
    "Consiglio spassionato: {brand}. Fine del consiglio.",
)  # fmt: skip
SPONSORED_IT = (
    "{core} insieme a {brand} ✨",
    "Ho provato {brand} per tre settimane: {core}.",
    "Con il codice {code} avete uno sconto su {brand}, link in bio.",
    "La novità di {brand}, e cosa ne penso davvero: {core}.",
    "Grazie a {brand} per avermi fatto scoprire questa novità!",
    "{core}. Oggi vi porto con me da {brand}.",
    "Unboxing di {brand} 📦 {core}",
)  # fmt: skip
DISCLOSURE_IT = ("#adv", "#ad", "In collaborazione con {handle}", "#gifted", "#advertising",
                 "#pubblicità", "Prodotto offerto da {handle}", "#adv {handle}",
                 "#sponsorizzato")  # fmt: skip
