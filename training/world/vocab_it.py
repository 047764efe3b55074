"""Italian vocabulary: niche terms, hashtags, value phrases, templates, names and places."""

from __future__ import annotations

from training.world.vocabulary import LanguageVocab, terms

NICHE_TERMS = {
    "fashion": terms(
        "cappotti vintage; maglioni di lana; jeans a vita alta; sneakers bianche; abiti midi;"
        "blazer oversize; gonne plissé; camicie di lino; stivali in pelle; borse a tracolla;"
        "accessori in pelle; foulard di seta; outfit da ufficio; look del weekend;"
        "capi second hand; mercatini dell'usato; tessuti naturali; colori autunnali;"
        "stampe floreali; cardigan morbidi; trench classici; pantaloni palazzo; mocassini;"
        "gioielli minimal; occhiali da sole; capsule wardrobe; cambio di stagione;"
        "tendenze di stagione; abbinamenti di colore; look monocromatici; tute in denim;"
        "piumini leggeri; cappelli di feltro; cinture vintage; sandali gioiello;"
        "calze colorate; giacche di velluto; maglieria fatta a mano; outfit per matrimoni;"
        "sfilate della fashion week; bottoni vintage; taglie inclusive"
    ),
    "beauty": terms(
        "skincare coreana; sieri alla vitamina C; creme idratanti; protezione solare;"
        "detergenti delicati; trucco naturale; rossetti nude; mascara volumizzanti;"
        "fondotinta leggeri; correttori; blush in crema; palette di ombretti;"
        "smalti semipermanenti; manicure fai da te; maschere viso; scrub naturali;"
        "oli per capelli; balsami nutrienti; tagli corti; ricci definiti; colori per capelli;"
        "routine serale; routine mattutina; pelle sensibile; pelle mista;"
        "acne e imperfezioni; profumi di nicchia; cosmetici solidi; make-up da sera;"
        "eyeliner grafici; sopracciglia naturali; ciglia finte; pennelli per il trucco;"
        "acqua micellare; tonici esfolianti; retinolo; acido ialuronico; contorno occhi;"
        "labbra screpolate; sali da bagno; cura delle unghie; burro di karité"
    ),
    "food": terms(
        "ricette veloci; pasta fatta in casa; risotti; lievitati; pane con lievito madre;"
        "focacce; pizze in teglia; dolci della nonna; torte soffici; biscotti;"
        "colazioni sane; pranzi al sacco; cene con amici; antipasti; zuppe di legumi;"
        "verdure di stagione; piatti unici; meal prep; ricette svuotafrigo; sughi; pesto;"
        "tiramisù; crostate; gelato artigianale; aperitivi; vini naturali; caffè specialty;"
        "trattorie; street food; prodotti tipici; formaggi; olio extravergine;"
        "mercati contadini; spezie; frittate; insalate; polpette; gnocchi; ravioli;"
        "tagliatelle; dolci senza zucchero; ricette regionali"
    ),
    "travel": terms(
        "borghi medievali; weekend fuori porta; viaggi in treno; itinerari in Toscana;"
        "spiagge nascoste; isole greche; città d'arte; musei; road trip; campeggi; ostelli;"
        "agriturismi; voli low cost; valigie leggere; zaini da viaggio; viaggi in solitaria;"
        "capitali europee; mercatini di Natale; laghi alpini; sentieri costieri; tramonti;"
        "albe in montagna; cammini; crociere; guide locali; cibo di strada;"
        "viaggi con bambini; parchi nazionali; città del Nord Europa; viaggi lenti;"
        "fine settimana a Parigi; Dolomiti; Sicilia; Puglia; Costiera Amalfitana;"
        "Cinque Terre; Sardegna; hotel di charme; case vacanza; consigli di viaggio;"
        "foto di viaggio; Via Francigena"
    ),
    "fitness": terms(
        "allenamenti a casa; corsa al mattino; mezze maratone; pesi liberi; squat; plank;"
        "HIIT; yoga; pilates; stretching; mobilità; recupero muscolare; proteine vegetali;"
        "frullati proteici; integratori; schede di allenamento; palestre di quartiere;"
        "calisthenics; trail running; ciclismo; nuoto; bici da corsa; passi giornalieri;"
        "sonno e recupero; alimentazione sportiva; elastici; kettlebell; addominali;"
        "glutei; allenamenti brevi; circuiti total body; camminate veloci;"
        "scarpe da running; abbigliamento tecnico; smartwatch sportivi; motivazione;"
        "obiettivi di forma; riscaldamento; defaticamento; crossfit; boxe; arrampicata"
    ),
    "parenting": terms(
        "neonati; allattamento; svezzamento; pappe; nanna; passeggini; fasce porta bebè;"
        "pannolini lavabili; giochi Montessori; letture per bambini; libri illustrati;"
        "attività creative; lavoretti; compiti; primo giorno di scuola; merende sane;"
        "feste di compleanno; gite in famiglia; vacanze con i bambini; routine della sera;"
        "capricci; fratelli; gravidanza; congedo parentale; lavoro e famiglia;"
        "tempo di qualità; giochi all'aperto; abbigliamento per bambini; seggiolini auto;"
        "camerette; asilo nido; sonno dei bambini; dentini; pediatri; educazione emotiva;"
        "giochi in legno; pomeriggi piovosi; ricette per bambini; sport per bambini;"
        "letture della buonanotte; mamme lavoratrici; papà presenti"
    ),
    "tech": terms(
        "smartphone; recensioni; unboxing; cuffie wireless; auricolari; laptop; tablet;"
        "smartwatch; domotica; assistenti vocali; fotocamere; droni;"
        "accessori per la scrivania; setup minimal; tastiere meccaniche; monitor;"
        "app di produttività; intelligenza artificiale; privacy online; password; cloud;"
        "backup; sistemi operativi; aggiornamenti; batterie; caricabatterie rapidi;"
        "powerbank; e-reader; stampanti 3D; programmazione; gadget; offerte tech;"
        "confronti tra modelli; trucchi per il telefono; lampadine smart;"
        "robot aspirapolvere; router; fibra; cybersecurity; startup; ricondizionati;"
        "elettronica usata"
    ),
    "gaming": terms(
        "videogiochi; live su Twitch; console; giochi indie; giochi di ruolo; sparatutto;"
        "speedrun; esports; tornei; retrogaming; giochi da tavolo; giochi di carte;"
        "Nintendo Switch; PlayStation; Xbox; PC da gaming; schede video; mouse da gaming;"
        "cuffie da gaming; sedie da gaming; open world; giochi cooperativi; multiplayer;"
        "patch; recensioni di giochi; anteprime; trofei; modding; cosplay;"
        "fiere del fumetto; anime; manga; colonne sonore; mondi fantasy; strategie; build;"
        "classifiche; giochi mobile; giochi horror; simulatori; giochi di corse;"
        "avventure grafiche"
    ),
    "sustainability": terms(
        "zero sprechi; riciclo; riuso; compost; plastica monouso; borracce;"
        "detersivi alla spina; moda etica; second hand; mobilità sostenibile; biciclette;"
        "orti urbani; energia rinnovabile; pannelli solari; impronta di carbonio;"
        "spesa sfusa; prodotti locali; filiera corta; cosmetici naturali; riparazioni;"
        "baratto; scambi di vestiti; acqua del rubinetto; risparmio energetico;"
        "agricoltura biologica; api e biodiversità; alberi; pulizia delle spiagge;"
        "attivismo climatico; consumo consapevole; imballaggi compostabili;"
        "stoviglie riutilizzabili; sacchetti di stoffa; lavaggi a freddo; upcycling;"
        "materiali riciclati; economia circolare; viaggi a basso impatto; cibo di stagione;"
        "lotta allo spreco alimentare; cosmetici alla spina; vestiti rammendati"
    ),
    "home": terms(
        "arredamento; decluttering; organizzazione della casa; piante da appartamento;"
        "angoli lettura; cucine; bagni piccoli; soggiorni luminosi; camere da letto;"
        "fai da te; restauro di mobili; tappeti; tende di lino; lampade;"
        "candele profumate; tessili per la casa; pulizie di primavera; ristrutturazioni;"
        "piastrelle; colori delle pareti; carta da parati; balconi; giardini; mensole;"
        "librerie; divani; stile scandinavo; stile industriale; mobili vintage;"
        "mercatini dell'antiquariato; tavole apparecchiate; decorazioni di Natale;"
        "home office; cabine armadio; case in affitto; monolocali; traslochi; ceramiche;"
        "cuscini; profumatori per ambienti; cesti in vimini; lavanderia"
    ),
    "pets": terms(
        "cani; gatti; cuccioli; adozioni dal canile; passeggiate; addestramento;"
        "crocchette; cibo umido; snack per cani; giochi per gatti; tiragraffi; cucce;"
        "guinzagli; pettorine; toelettatura; visite dal veterinario; vaccini;"
        "antiparassitari; conigli; criceti; acquari; pappagalli; viaggi con il cane;"
        "spiagge per cani; aree cani; gattili; stalli; gatti neri; cani anziani;"
        "razze miste; agility; educazione cinofila; sonnellini; coccole; lettiere;"
        "fontanelle per gatti; cappottini per cani; compleanni a quattro zampe;"
        "dog sitter; locali pet friendly; foto di cani; gattini"
    ),
}

NICHE_HASHTAGS = {
    "fashion": terms("#moda; #ootd; #outfit; #stile; #modaitaliana; #lookdelgiorno; #vintage"),
    "beauty": terms("#skincare; #makeup; #bellezza; #skincareroutine; #trucco; #capelli"),
    "food": terms("#ricettafacile; #cucinaitaliana; #foodblogger; #ricette; #fattoincasa"),
    "travel": terms("#viaggiare; #travel; #italia; #borghiditalia; #weekend; #wanderlust"),
    "fitness": terms("#fitness; #allenamento; #workout; #palestra; #running; #sport"),
    "parenting": terms("#mamma; #maternità; #bambini; #famiglia; #genitori; #momlife"),
    "tech": terms("#tecnologia; #tech; #recensione; #smartphone; #gadget; #unboxing"),
    "gaming": terms("#gaming; #videogiochi; #gamer; #twitch; #playstation; #retrogaming"),
    "sustainability": terms(
        "#sostenibilità; #zerowaste; #ecofriendly; #modasostenibile; #riciclo; #plasticfree"
    ),
    "home": terms("#casa; #arredamento; #homedecor; #interiordesign; #casadolcecasa"),
    "pets": terms("#cani; #gatti; #dogsofinstagram; #catsofinstagram; #adottanoncomprare"),
}

NICHE_BIO = {
    "fashion": terms("moda sostenibile e second hand; outfit di tutti i giorni; stile e vintage"),
    "beauty": terms("skincare e trucco naturale; consigli beauty onesti; ricci e cura dei capelli"),
    "food": terms("ricette facili e veloci; cucina di casa; lievitati e dolci"),
    "travel": terms("viaggi lenti e borghi; weekend fuori porta; itinerari in Italia e in Europa"),
    "fitness": terms("allenamenti a casa; running e benessere; forza e mobilità"),
    "parenting": terms("vita da genitori; maternità senza filtri; giochi e letture per bambini"),
    "tech": terms("recensioni tech sincere; gadget e smartphone; setup e produttività"),
    "gaming": terms("videogiochi e live; retrogaming e indie; console e PC"),
    "sustainability": terms("vita a zero sprechi; sostenibilità quotidiana; riuso creativo"),
    "home": terms("casa, arredo e fai da te; organizzazione e decluttering; piante e interni"),
    "pets": terms("vita con cani e gatti; adozioni e benessere animale; avventure a quattro zampe"),
}

NICHE_HANDLE_WORDS = {
    "fashion": terms("moda; stile; look; vintage; armadio; green"),
    "beauty": terms("beauty; trucco; skin; glow; bellezza"),
    "food": terms("cucina; ricette; chef; forno; tavola; dolci"),
    "travel": terms("viaggi; valigia; travels; borghi; zaino"),
    "fitness": terms("fit; corre; sport; move; forma"),
    "parenting": terms("mamma; papa; family; bimbi; tribu"),
    "tech": terms("tech; geek; digitale; bit"),
    "gaming": terms("gaming; play; gamer; pixel; joystick"),
    "sustainability": terms("green; eco; zerowaste; verde; riuso"),
    "home": terms("home; casa; nido; interni; decor"),
    "pets": terms("dog; zampe; miao; bau; pets"),
}

VALUE_TERMS = {
    "vegan": terms("cucina vegana; ricette vegetali; prodotti cruelty free; latte di avena;"
                   "alternative vegetali; cosmetici vegani; tofu e tempeh"),
    "eco": terms("scelte sostenibili; zero plastica; materiali riciclati; consumo consapevole;"
                 "prodotti ricaricabili; riuso"),
    "handmade": terms("creazioni fatte a mano; botteghe artigiane; lavori all'uncinetto;"
                      "ceramiche artigianali; pezzi unici"),
    "budget": terms("idee low cost; offerte; spese intelligenti; risparmio;"
                    "alternative economiche"),
    "luxury": terms("pezzi iconici; hotel di lusso; materiali pregiati; esperienze esclusive;"
                    "alta gamma"),
    "family": terms("momenti in famiglia; tempo con i bambini; domeniche in famiglia;"
                    "tradizioni di famiglia"),
    "outdoor": terms("escursioni; aria aperta; montagna; trekking; picnic al parco;"
                     "avventure all'aperto"),
    "minimalist": terms("essenzialità; meno cose; armadi essenziali; spazi liberi;"
                        "design pulito"),
    "local": terms("prodotti a km zero; artigiani locali; made in Italy;"
                   "eccellenze del territorio; mercati rionali"),
    "techsavvy": terms("app utili; gadget intelligenti; automazioni; dispositivi smart"),
    "wellness": terms("benessere mentale; meditazione; sonno di qualità; rituali di benessere;"
                      "respirazione consapevole"),
}  # fmt: skip

VALUE_HASHTAGS = {
    "vegan": terms("#vegano; #vegan; #plantbased; #crueltyfree"),
    "eco": terms("#sostenibile; #ecosostenibile; #zerowaste; #greenliving"),
    "handmade": terms("#fattoamano; #handmade; #artigianato"),
    "budget": terms("#lowcost; #risparmio; #offerte"),
    "luxury": terms("#luxury; #lusso; #eleganza"),
    "family": terms("#famiglia; #familytime"),
    "outdoor": terms("#outdoor; #trekking; #natura"),
    "minimalist": terms("#minimalismo; #lessismore"),
    "local": terms("#madeinitaly; #kmzero; #territorio"),
    "techsavvy": terms("#smarthome; #innovazione"),
    "wellness": terms("#benessere; #selfcare; #mindfulness"),
}

VALUE_BRAND_PHRASES = {
    "vegan": terms("formule 100% vegetali; nessun ingrediente di origine animale;"
                   "certificazione vegan"),
    "eco": terms("sostenibilità; materiali riciclati; imballaggi compostabili;"
                 "riduzione delle emissioni"),
    "handmade": terms("lavorazione artigianale; pezzi fatti a mano; tradizione di bottega"),
    "budget": terms("prezzi accessibili; qualità alla portata di tutti"),
    "luxury": terms("eccellenza; materiali pregiati; esclusività"),
    "family": terms("pensato per tutta la famiglia; sicurezza per i più piccoli"),
    "outdoor": terms("vita all'aria aperta; resistenza in ogni condizione"),
    "minimalist": terms("design essenziale; meno ma meglio"),
    "local": terms("produzione etica in Italia; filiera corta; made in Italy"),
    "techsavvy": terms("innovazione; tecnologia intelligente"),
    "wellness": terms("benessere quotidiano; equilibrio tra corpo e mente"),
}  # fmt: skip

NICHE_BRAND_PHRASES = {
    "fashion": terms("capi senza tempo; collezioni capsule; tessuti naturali"),
    "beauty": terms("skincare efficace; cosmetici delicati; cura della pelle"),
    "food": terms("ricette della tradizione; ingredienti genuini; pasta artigianale"),
    "travel": terms("esperienze di viaggio autentiche; itinerari su misura; turismo lento"),
    "fitness": terms("allenamento per tutti; abbigliamento sportivo; nutrizione sportiva"),
    "parenting": terms("prodotti per la prima infanzia; giochi educativi; crescere insieme"),
    "tech": terms("elettronica di consumo; accessori smart; dispositivi affidabili"),
    "gaming": terms("periferiche da gaming; community di giocatori; giochi indipendenti"),
    "sustainability": terms("economia circolare; prodotti a impatto zero; zero sprechi"),
    "home": terms("arredo e design; tessili per la casa; oggetti per la casa"),
    "pets": terms("alimentazione naturale per cani e gatti; benessere animale;"
                  "accessori per animali"),
}  # fmt: skip

BRAND_ROOTS = {
    "fashion": terms("Veste; Filo; Trama; Sartoria; Stoffa; Cucito"),
    "beauty": terms("Pelle; Essenza; Rosa; Sapone; Viso; Crema"),
    "food": terms("Dispensa; Forno; Pasta; Orto; Sapori; Tavola"),
    "travel": terms("Rotta; Bussola; Valigia; Sentiero; Borgo; Viaggio"),
    "fitness": terms("Forma; Passo; Slancio; Energia; Corpo"),
    "parenting": terms("Culla; Nido; Piccoli; Bimbi; Girotondo"),
    "tech": terms("Circuito; Bit; Segnale; Digitale; Onda"),
    "gaming": terms("Pixel; Dado; Arena; Livello; Gioco"),
    "sustainability": terms("Terra; Radice; Foglia; Seme; Riuso"),
    "home": terms("Casa; Dimora; Cortile; Stanza; Soglia"),
    "pets": terms("Zampa; Coda; Cuccia; Fido; Micio"),
}
VALUE_PREFIXES = {
    "vegan": terms("Veg; Vegetale"), "eco": terms("Eco; Verde; Bio"),
    "handmade": terms("Artigiana; Mano"), "budget": terms("Smart; Facile"),
    "luxury": terms("Aurea; Nobile"), "family": terms("Famiglia; Insieme"),
    "outdoor": terms("Monte; Alpina"), "minimalist": terms("Puro; Essenziale"),
    "local": terms("Nostrana; Antica"), "techsavvy": terms("Neo; Smart"),
    "wellness": terms("Vita; Bene"),
}  # fmt: skip

CAPTION_TEMPLATES = terms(
    "Oggi parliamo di {t1} {e};"
    "Tre cose che amo in questo periodo: {t1}, {t2} e {t3} {e};"
    "Chi altro è in fissa con {t1}? Ditemelo nei commenti 👇;"
    "Nuovo reel su {t1}: vi aspetto nei commenti con domande e consigli {e};"
    "Settimana all'insegna di {t1} e {v} {e};"
    "Weekend a {city} tra {t1} e {t2} {e};"
    "Piccola guida per chi inizia con {t1}: salvatela per dopo 📌;"
    "Domanda seria: {t1} o {t2}? Io non ho dubbi {e};"
    "La mia routine di oggi: prima {t1}, poi {t2}. Semplice ma funziona.;"
    "Errori che facevo con {t1} (e come li ho risolti) 👇;"
    "Prima volta con {t1}: esperimento riuscito {e};"
    "Ricapitolando il mese: {t1}, {t2}, {t3}. Cosa volete vedere il mese prossimo?;"
    "Consiglio del giorno: provate {t1} insieme a {t2} {e};"
    "Dietro le quinte del nuovo video su {t1} 🎬;"
    "Sondaggio nelle storie: {t1} o {v}? Votate! {e};"
    "{t1} + {t2} = combinazione perfetta {e};"
    "Mi avete chiesto tanto di {t1}: trovate tutto nel carosello ➡️;"
    "Domenica lenta a {city}: {t1}, {v} e niente sveglia {e};"
    "Se dovessi consigliarvi una sola cosa oggi? {t1}. Fidatevi {e}"
)
ORGANIC_MENTION_TEMPLATES = terms(
    "Chi mi segue lo sa: per {t1} mi fido di {brand} da anni {e};"
    "Ricomprato da {brand}, per l'ennesima volta. Nessuno mi paga per dirlo, funziona e basta.;"
    "Piccole gioie quotidiane: {t1} e un ordine appena arrivato da {brand} {e};"
    "Mi chiedete sempre dove prendo {t1}: da {brand}, scelta mia al cento per cento.;"
    "Giro da {brand} oggi e, come sempre, esco con le mani piene {e};"
    "Ancora {brand} nel mio feed? Sì, perché ci credo davvero {e};"
    "Il mio preferito per {t1} resta {brand}, ve lo dico con il cuore {e}"
)
SPONSORED_TEMPLATES = terms(
    "Con {brand} ho provato {t1}: ecco le mie impressioni sincere {e};"
    "Grazie a {brand} per questa sorpresa: {t1} e {t2} {e};"
    "Codice sconto nelle storie per {brand} 🛍️ Oggi si parla di {t1}!;"
    "Nuovo progetto con {brand}: {t1} per tutta la stagione {e};"
    "{brand} mi ha fatto scoprire {t1}, e ve ne parlo qui {e};"
    "Finalmente posso mostrarvi la novità di {brand}: {t1} {e};"
    "Link in bio per scoprire {t1} di {brand} {e};"
    "Ho messo alla prova {t1} di {brand} per due settimane: ecco com'è andata {e}"
)
DISCLOSURES = terms(
    "#adv; #ad; #advertising; #partner; #gifted; in collaborazione con {brand};#suppliedby {brand}"
)
BIO_TEMPLATES = terms(
    "{city} · {b1} · {b2};"
    "{e} {b1} | {b2}\n📍 {city};"
    "Racconto {b1} da {city} {e};"
    "{b1} · {b2} · tanta passione ✨ {city};"
    "Qui si parla di {b1} · {v}\n📩 collaborazioni via DM;"
    "{name} · {b1} · {city};"
    "Passione per {b1} e {v} {e} {city}"
)
DESCRIPTION_TEMPLATES = terms(
    "{name}: {np}, {vp}. Cerchiamo voci autentiche che ne parlino con sincerità.;"
    "Dal {year}, {name} è sinonimo di {np}. Cerchiamo creator che condividano i nostri valori.;"
    "Nuova stagione per {name}: {np} e {vp}. Vogliamo collaborazioni lunghe, non post singoli.;"
    "{name} nasce dall'idea di {np}, con {vp}. Per la campagna cerchiamo community vere."
)
VALUE_CAPTION_TEMPLATES = terms(
    "Sempre dalla parte di {v}, anche quando si parla di {t1} {e};"
    "Per me {t1} va di pari passo con {v} {e};"
    "Scelte di tutti i giorni: {v}, anche per {t1} {e}"
)
FRIEND_TEMPLATES = terms("📸 {friend}; con {friend} 💛; grazie {friend} per la giornata!")

FIRST_NAMES = terms(
    "giulia; chiara; francesca; sara; martina; alessia; federica; valentina; elisa; giorgia;"
    "silvia; laura; anna; marta; ilaria; beatrice; sofia; aurora; greta; noemi; marco; luca;"
    "andrea; matteo; davide; simone; lorenzo; alessandro; francesco; giovanni; stefano;"
    "riccardo; tommaso; pietro; filippo; nicola; emanuele; paolo; gabriele; michele"
)
SURNAMES = terms(
    "rossi; bianchi; romano; colombo; ricci; marino; greco; bruno; gallo; conti; deluca; costa;"
    "giordano; mancini; rizzo; lombardi; moretti; barbieri; fontana; santoro; mariani; rinaldi;"
    "caruso; ferrari; galli; martini; leone; longo; gentile; martinelli"
)
CITIES = {
    "IT": terms("Milano; Roma; Torino; Napoli; Bologna; Firenze; Genova; Palermo; Bari; Verona;"
                "Padova; Trieste; Parma; Lecce; Cagliari; Perugia; Bergamo; Brescia; Trento;"
                "Catania"),
    "CH": terms("Lugano; Bellinzona; Locarno; Mendrisio"),
    "SM": terms("San Marino"),
}  # fmt: skip

VOCAB = LanguageVocab(
    language="it",
    niche_terms=NICHE_TERMS,
    niche_hashtags=NICHE_HASHTAGS,
    niche_bio=NICHE_BIO,
    niche_handle_words=NICHE_HANDLE_WORDS,
    value_terms=VALUE_TERMS,
    value_hashtags=VALUE_HASHTAGS,
    value_brand_phrases=VALUE_BRAND_PHRASES,
    niche_brand_phrases=NICHE_BRAND_PHRASES,
    brand_roots=BRAND_ROOTS,
    value_prefixes=VALUE_PREFIXES,
    brand_adjectives=terms("Felice; Gentile; Reale; Nobile; Naturale; Essenziale; Forte"),
    brand_houses=terms("Bottega; Casa; Officina; Atelier; Laboratorio"),
    brand_patterns=terms(
        "{prefix}{root}; {root} {adjective}; {house} {name}; {root} {city}; {root}&{root2}"
    ),
    caption_templates=CAPTION_TEMPLATES,
    value_caption_templates=VALUE_CAPTION_TEMPLATES,
    organic_mention_templates=ORGANIC_MENTION_TEMPLATES,
    sponsored_templates=SPONSORED_TEMPLATES,
    disclosures=DISCLOSURES,
    bio_templates=BIO_TEMPLATES,
    description_templates=DESCRIPTION_TEMPLATES,
    friend_templates=FRIEND_TEMPLATES,
    first_names=FIRST_NAMES,
    surnames=SURNAMES,
    cities=CITIES,
    handle_patterns=terms("{n}.{w}; {w}.di.{n}; {n}{w}{d}; {n}.{w}{d}; {w}con{n}; {n}.{s};"
                          "{n}{s}.{w}"),
)  # fmt: skip
