"""Spanish vocabulary (creators and brands from Spain, Mexico and Argentina)."""

from __future__ import annotations

from training.world.vocabulary import LanguageVocab, terms

NICHE_TERMS = {
    "fashion": terms(
        "abrigos vintage; jerséis de lana; vaqueros de tiro alto; zapatillas blancas;"
        "vestidos midi; americanas oversize; faldas plisadas; camisas de lino;"
        "botas de cuero; bolsos bandolera; pañuelos de seda; looks de oficina;"
        "looks de fin de semana; ropa de segunda mano; mercadillos; tejidos naturales;"
        "colores de otoño; estampados florales; cárdigans gruesos; gabardinas;"
        "pantalones anchos; mocasines; joyas minimalistas; gafas de sol;"
        "armarios cápsula; cambios de armario; combinaciones de color; looks monocromo;"
        "chaquetas vaqueras; plumíferos; sombreros de fieltro; cinturones vintage;"
        "sandalias joya; calcetines de colores; blazers de terciopelo; punto hecho a mano;"
        "looks de invitada; desfiles de moda; accesorios de segunda mano; tallas inclusivas;"
        "trucos de estilismo; prendas básicas"
    ),
    "beauty": terms(
        "cosmética coreana; sérums de vitamina C; cremas hidratantes; protector solar;"
        "limpiadores suaves; maquillaje natural; labiales nude; máscaras de pestañas;"
        "bases ligeras; correctores; coloretes en crema; paletas de sombras;"
        "uñas semipermanentes; manicuras caseras; mascarillas faciales; exfoliantes naturales;"
        "aceites para el pelo; acondicionadores nutritivos; cortes cortos; rizos definidos;"
        "tintes; rutinas de noche; rutinas de mañana; piel sensible; piel mixta;"
        "acné e imperfecciones; perfumes de nicho; cosmética sólida; maquillaje de noche;"
        "delineados gráficos; cejas naturales; pestañas postizas; brochas de maquillaje;"
        "agua micelar; tónicos exfoliantes; retinol; ácido hialurónico; contornos de ojos;"
        "labios agrietados; sales de baño; cuidado de uñas; manteca de karité"
    ),
    "food": terms(
        "recetas rápidas; pasta casera; arroces; pan de masa madre; bizcochos; tortillas;"
        "tapas; empanadas; guisos de la abuela; tartas caseras; galletas;"
        "desayunos saludables; táperes para el trabajo; cenas con amigos; entrantes;"
        "legumbres; verduras de temporada; platos únicos; batch cooking;"
        "recetas de aprovechamiento; salsas; gazpacho; paellas; croquetas; flanes;"
        "helados artesanos; vermuts; vinos naturales; café de especialidad; bares de barrio;"
        "comida callejera; productos típicos; quesos; aceite de oliva virgen extra;"
        "mercados de abastos; especias; ensaladas; albóndigas; churros; tacos;"
        "postres sin azúcar; recetas regionales"
    ),
    "travel": terms(
        "pueblos medievales; escapadas de fin de semana; viajes en tren; rutas por Andalucía;"
        "calas escondidas; islas griegas; ciudades con arte; museos; viajes por carretera;"
        "campings; albergues; casas rurales; vuelos low cost; maletas de cabina;"
        "mochilas de viaje; viajes en solitario; capitales europeas; mercados navideños;"
        "lagos de montaña; caminos de costa; atardeceres; amaneceres en la montaña;"
        "el Camino de Santiago; cruceros; guías locales; comida callejera;"
        "viajes con niños; parques nacionales; ciudades nórdicas; viajes lentos;"
        "fines de semana en París; Asturias; Galicia; la Patagonia; Oaxaca; Canarias;"
        "hoteles con encanto; apartamentos turísticos; consejos de viaje;"
        "fotografía de viajes; playas del Caribe; rutas en furgoneta"
    ),
    "fitness": terms(
        "entrenamientos en casa; carreras por la mañana; medias maratones; pesas libres;"
        "sentadillas; planchas; HIIT; yoga; pilates; estiramientos; movilidad;"
        "recuperación muscular; proteína vegetal; batidos de proteínas; suplementos;"
        "planes de entrenamiento; gimnasios de barrio; calistenia; trail running;"
        "ciclismo; natación; bicis de carretera; pasos diarios; sueño y descanso;"
        "nutrición deportiva; bandas elásticas; kettlebells; abdominales; glúteos;"
        "entrenamientos cortos; circuitos de cuerpo completo; caminatas rápidas;"
        "zapatillas de running; ropa deportiva; relojes deportivos; motivación;"
        "objetivos de forma física; calentamientos; vuelta a la calma; crossfit; boxeo;"
        "escalada"
    ),
    "parenting": terms(
        "recién nacidos; lactancia; alimentación complementaria; papillas; horas de sueño;"
        "carritos de bebé; portabebés; pañales de tela; juguetes Montessori;"
        "cuentos infantiles; libros ilustrados; manualidades; deberes;"
        "primeros días de cole; meriendas sanas; cumpleaños infantiles;"
        "excursiones en familia; vacaciones con niños; rutinas de noche; rabietas;"
        "hermanos; embarazo; permisos de maternidad; conciliación; tiempo de calidad;"
        "juegos al aire libre; ropa infantil; sillas de coche; habitaciones infantiles;"
        "guarderías; sueño infantil; dientes de leche; pediatras; educación emocional;"
        "juguetes de madera; tardes de lluvia; recetas para niños; deportes para niños;"
        "cuentos para dormir; madres trabajadoras; padres presentes; crianza respetuosa"
    ),
    "tech": terms(
        "móviles; reseñas; unboxings; auriculares inalámbricos; portátiles; tabletas;"
        "relojes inteligentes; domótica; asistentes de voz; cámaras; drones;"
        "accesorios de escritorio; setups minimalistas; teclados mecánicos; monitores;"
        "apps de productividad; inteligencia artificial; privacidad en internet;"
        "contraseñas; almacenamiento en la nube; copias de seguridad; sistemas operativos;"
        "actualizaciones; baterías; cargadores rápidos; baterías externas; e-readers;"
        "impresoras 3D; programación; gadgets; ofertas tecnológicas; comparativas;"
        "trucos para el móvil; bombillas inteligentes; robots aspiradores; routers; fibra;"
        "ciberseguridad; startups; reacondicionados; electrónica de segunda mano"
    ),
    "gaming": terms(
        "videojuegos; directos en Twitch; consolas; juegos indie; juegos de rol; shooters;"
        "speedruns; esports; torneos; retro gaming; juegos de mesa; juegos de cartas;"
        "Nintendo Switch; PlayStation; Xbox; PC gaming; tarjetas gráficas;"
        "ratones gaming; cascos gaming; sillas gaming; mundos abiertos;"
        "juegos cooperativos; multijugador; parches; análisis de juegos; avances; logros;"
        "mods; cosplay; salones del manga; anime; manga; bandas sonoras;"
        "mundos de fantasía; estrategias; builds; clasificaciones; juegos para móvil;"
        "juegos de terror; simuladores; juegos de carreras; aventuras gráficas"
    ),
    "sustainability": terms(
        "residuo cero; reciclaje; reutilización; compost; plásticos de un solo uso;"
        "botellas reutilizables; tiendas a granel; moda ética; segunda mano;"
        "movilidad sostenible; bicicletas; huertos urbanos; energías renovables;"
        "placas solares; huella de carbono; compras a granel; productos de proximidad;"
        "circuitos cortos; cosmética natural; reparaciones; trueques;"
        "intercambios de ropa; agua del grifo; ahorro energético; agricultura ecológica;"
        "abejas y biodiversidad; árboles; limpiezas de playas; activismo climático;"
        "consumo responsable; envases compostables; vajilla reutilizable;"
        "bolsas de tela; lavados en frío; upcycling; materiales reciclados;"
        "economía circular; viajes de bajo impacto; comida de temporada;"
        "desperdicio alimentario; ropa remendada; cosmética a granel"
    ),
    "home": terms(
        "decoración; orden en casa; organización del hogar; plantas de interior;"
        "rincones de lectura; cocinas; baños pequeños; salones luminosos; dormitorios;"
        "bricolaje; muebles restaurados; alfombras; cortinas de lino; lámparas;"
        "velas aromáticas; textiles para el hogar; limpiezas de primavera; reformas;"
        "azulejos; colores de pared; papel pintado; balcones; jardines; estanterías;"
        "librerías; sofás; estilo nórdico; estilo industrial; muebles vintage;"
        "mercados de antigüedades; mesas bonitas; decoración navideña; teletrabajo en casa;"
        "vestidores; pisos de alquiler; estudios pequeños; mudanzas; cerámica; cojines;"
        "ambientadores; cestas de mimbre; lavanderías"
    ),
    "pets": terms(
        "perros; gatos; cachorros; adopciones en protectoras; paseos; adiestramiento;"
        "pienso; comida húmeda; premios para perros; juguetes para gatos; rascadores;"
        "camas para perros; correas; arneses; peluquería canina; visitas al veterinario;"
        "vacunas; antiparasitarios; conejos; hámsteres; acuarios; loros;"
        "viajes con perro; playas para perros; parques caninos; colonias felinas;"
        "casas de acogida; gatos negros; perros mayores; mestizos; agility;"
        "educación canina; siestas; mimos; areneros; fuentes para gatos;"
        "abrigos para perros; cumpleaños perrunos; cuidadores de perros;"
        "sitios pet friendly; fotos de perros; gatitos"
    ),
}

NICHE_HASHTAGS = {
    "fashion": terms("#moda; #ootd; #outfit; #estilo; #lookdeldia; #modasostenible"),
    "beauty": terms("#skincare; #maquillaje; #belleza; #rutinafacial; #cuidadodelapiel"),
    "food": terms("#recetasfaciles; #cocinacasera; #foodie; #recetas; #hechoencasa"),
    "travel": terms("#viajar; #travel; #escapadas; #viajes; #turismo; #wanderlust"),
    "fitness": terms("#fitness; #entrenamiento; #workout; #gimnasio; #running; #deporte"),
    "parenting": terms("#maternidad; #crianza; #familia; #niños; #paternidad; #momlife"),
    "tech": terms("#tecnologia; #tech; #review; #smartphone; #gadgets; #unboxing"),
    "gaming": terms("#gaming; #videojuegos; #gamer; #twitch; #retrogaming; #juegosindie"),
    "sustainability": terms(
        "#sostenibilidad; #residuocero; #zerowaste; #ecofriendly; #sinplastico"
    ),
    "home": terms("#decoracion; #hogar; #homedecor; #interiorismo; #hogardulcehogar"),
    "pets": terms("#perros; #gatos; #adoptanocompres; #dogsofinstagram; #catsofinstagram"),
}

NICHE_BIO = {
    "fashion": terms("moda sostenible y segunda mano; looks para cada día; estilo y vintage"),
    "beauty": terms("skincare y maquillaje natural; reseñas de belleza honestas; pelo rizado"),
    "food": terms("recetas fáciles y rápidas; cocina casera; masa madre y repostería"),
    "travel": terms("viajes lentos y pueblos; escapadas de fin de semana; Europa en tren"),
    "fitness": terms("entrenamientos en casa; running y bienestar; fuerza y movilidad"),
    "parenting": terms("maternidad sin filtros; crianza en el día a día; cuentos y juegos"),
    "tech": terms("reseñas tech sinceras; gadgets y móviles; setups y productividad"),
    "gaming": terms("videojuegos y directos; retro e indie; consola y PC"),
    "sustainability": terms("vida residuo cero; sostenibilidad cotidiana; reutilización creativa"),
    "home": terms("hogar, decoración y bricolaje; orden y organización; plantas e interiores"),
    "pets": terms("vida con perros y gatos; adopción y bienestar animal; aventuras perrunas"),
}

NICHE_HANDLE_WORDS = {
    "fashion": terms("moda; estilo; looks; vintage; armario"),
    "beauty": terms("beauty; belleza; glow; piel; makeup"),
    "food": terms("cocina; recetas; chef; horno; sabores"),
    "travel": terms("viajes; maleta; mochila; ruta; viajera"),
    "fitness": terms("fit; corre; entrena; sport; fuerza"),
    "parenting": terms("mama; papa; familia; peques; crianza"),
    "tech": terms("tech; geek; digital; bits"),
    "gaming": terms("gaming; play; gamer; pixel; mando"),
    "sustainability": terms("green; eco; verde; residuocero; reusa"),
    "home": terms("home; hogar; casa; deco; nido"),
    "pets": terms("perro; patitas; gato; guau; michi"),
}

VALUE_TERMS = {
    "vegan": terms("cocina vegana; recetas vegetales; productos cruelty free; leche de avena;"
                   "alternativas vegetales; cosmética vegana; tofu y tempeh"),
    "eco": terms("decisiones sostenibles; cero plástico; materiales reciclados;"
                 "consumo consciente; productos recargables; reutilización"),
    "handmade": terms("piezas hechas a mano; talleres artesanos; proyectos de ganchillo;"
                      "cerámica artesanal; piezas únicas"),
    "budget": terms("ideas low cost; ofertas; compras inteligentes; ahorro;"
                    "alternativas baratas"),
    "luxury": terms("piezas icónicas; hoteles de lujo; materiales nobles;"
                    "experiencias exclusivas; alta gama"),
    "family": terms("momentos en familia; tiempo con los peques; domingos en familia;"
                    "tradiciones familiares"),
    "outdoor": terms("excursiones; aire libre; montaña; senderismo; pícnics en el parque;"
                     "aventuras al aire libre"),
    "minimalist": terms("sencillez; tener menos; armarios minimalistas; espacios despejados;"
                        "diseño limpio"),
    "local": terms("productos de km cero; artesanos locales; comercio de barrio;"
                   "productos de la tierra; mercados locales"),
    "techsavvy": terms("apps útiles; gadgets inteligentes; automatizaciones;"
                       "dispositivos conectados"),
    "wellness": terms("salud mental; meditación; descanso de calidad; rituales de autocuidado;"
                      "respiración consciente"),
}  # fmt: skip

VALUE_HASHTAGS = {
    "vegan": terms("#vegano; #vegan; #plantbased; #crueltyfree"),
    "eco": terms("#sostenible; #ecologico; #residuocero; #vidasostenible"),
    "handmade": terms("#hechoamano; #handmade; #artesania"),
    "budget": terms("#lowcost; #ahorro; #ofertas"),
    "luxury": terms("#lujo; #luxury"),
    "family": terms("#familia; #familytime"),
    "outdoor": terms("#airelibre; #senderismo; #naturaleza"),
    "minimalist": terms("#minimalismo; #menosesmas"),
    "local": terms("#comerciolocal; #kmcero; #productolocal"),
    "techsavvy": terms("#smarthome; #innovacion"),
    "wellness": terms("#bienestar; #autocuidado; #mindfulness"),
}

VALUE_BRAND_PHRASES = {
    "vegan": terms("fórmulas 100% vegetales; sin ingredientes de origen animal;"
                   "certificación vegana"),
    "eco": terms("sostenibilidad; materiales reciclados; envases compostables;"
                 "reducción de emisiones"),
    "handmade": terms("elaboración artesanal; piezas hechas a mano; tradición de taller"),
    "budget": terms("precios accesibles; calidad al alcance de todos"),
    "luxury": terms("excelencia; materiales nobles; exclusividad"),
    "family": terms("pensado para toda la familia; seguridad para los más pequeños"),
    "outdoor": terms("vida al aire libre; resistencia en cualquier condición"),
    "minimalist": terms("diseño sencillo; menos pero mejor"),
    "local": terms("producción ética local; circuito corto; producción de cercanía"),
    "techsavvy": terms("innovación; tecnología inteligente"),
    "wellness": terms("bienestar diario; equilibrio entre cuerpo y mente"),
}  # fmt: skip

NICHE_BRAND_PHRASES = {
    "fashion": terms("prendas atemporales; colecciones cápsula; tejidos naturales"),
    "beauty": terms("cosmética eficaz; cuidado delicado de la piel; belleza consciente"),
    "food": terms("recetas de siempre; ingredientes auténticos; conservas artesanas"),
    "travel": terms("experiencias de viaje auténticas; rutas a medida; turismo lento"),
    "fitness": terms("entrenamiento para todos; ropa deportiva; nutrición deportiva"),
    "parenting": terms("productos para bebés; juguetes educativos; crecer juntos"),
    "tech": terms("electrónica de consumo; accesorios inteligentes; dispositivos fiables"),
    "gaming": terms("periféricos gaming; comunidad de jugadores; juegos independientes"),
    "sustainability": terms("economía circular; productos de impacto cero; residuo cero"),
    "home": terms("mobiliario y diseño; textiles para el hogar; objetos para la casa"),
    "pets": terms("alimentación natural para perros y gatos; bienestar animal;"
                  "accesorios para mascotas"),
}  # fmt: skip

BRAND_ROOTS = {
    "fashion": terms("Hilo; Trama; Costura; Aguja; Telar; Ropero"),
    "beauty": terms("Piel; Esencia; Rosa; Jabón; Brillo; Flor"),
    "food": terms("Despensa; Horno; Huerta; Sabor; Mesa; Fogón"),
    "travel": terms("Rumbo; Brújula; Maleta; Sendero; Ruta; Viaje"),
    "fitness": terms("Forma; Paso; Impulso; Energía; Pulso"),
    "parenting": terms("Cuna; Nido; Peques; Semilla; Corro"),
    "tech": terms("Circuito; Bit; Señal; Digital; Onda"),
    "gaming": terms("Píxel; Dado; Arena; Nivel; Partida"),
    "sustainability": terms("Tierra; Raíz; Hoja; Semilla; Ciclo"),
    "home": terms("Casa; Hogar; Patio; Rincón; Alcoba"),
    "pets": terms("Patita; Cola; Huella; Bigote; Caseta"),
}
VALUE_PREFIXES = {
    "vegan": terms("Veg; Vegetal"), "eco": terms("Eco; Verde; Bio"),
    "handmade": terms("Taller; Artesana"), "budget": terms("Smart; Fácil"),
    "luxury": terms("Oro; Noble"), "family": terms("Familia; Juntos"),
    "outdoor": terms("Monte; Sierra"), "minimalist": terms("Puro; Simple"),
    "local": terms("Tierra; Origen"), "techsavvy": terms("Neo; Smart"),
    "wellness": terms("Vida; Calma"),
}  # fmt: skip

CAPTION_TEMPLATES = terms(
    "Hoy hablamos de {t1} {e};"
    "Tres cosas que me encantan estos días: {t1}, {t2} y {t3} {e};"
    "¿Quién más está obsesionado con {t1}? Contádmelo en comentarios 👇;"
    "Nuevo reel sobre {t1}: os leo en comentarios {e};"
    "Una semana dedicada a {t1} y {v} {e};"
    "Finde en {city} entre {t1} y {t2} {e};"
    "Pequeña guía para empezar con {t1}. ¡Guárdala para luego! 📌;"
    "Pregunta seria: ¿{t1} o {t2}? Yo lo tengo clarísimo {e};"
    "Mi rutina de hoy: primero {t1}, luego {t2}. Sencillo, pero funciona.;"
    "Errores que cometía con {t1} (y cómo los solucioné) 👇;"
    "Primera vez con {t1}: experimento superado {e};"
    "Resumen del mes: {t1}, {t2}, {t3}. ¿Qué queréis ver el mes que viene?;"
    "Consejo del día: probad {t1} junto con {t2} {e};"
    "Detrás de las cámaras del nuevo vídeo sobre {t1} 🎬;"
    "Encuesta en stories: ¿{t1} o {v}? ¡Votad! {e};"
    "{t1} + {t2} = combinación perfecta {e};"
    "Me habéis preguntado mucho por {t1}: lo tenéis todo en el carrusel ➡️;"
    "Domingo tranquilo en {city}: {t1}, {v} y sin despertador {e};"
    "¿Si tuviera que recomendaros una sola cosa hoy? {t1}. Confiad en mí {e}"
)
ORGANIC_MENTION_TEMPLATES = terms(
    "Quien me sigue lo sabe: para {t1} confío en {brand} desde hace años {e};"
    "He vuelto a pedir a {brand}, y van unas cuantas. Nadie me paga por decirlo, funciona.;"
    "Pequeñas alegrías: {t1} y un paquete recién llegado de {brand} {e};"
    "Siempre me preguntáis qué uso para {t1}: {brand}, elección mía al cien por cien.;"
    "Hoy pasé por {brand} y, como siempre, salí con las manos llenas {e};"
    "¿Otra vez {brand} en mi feed? Sí, porque creo de verdad en lo que hacen {e};"
    "Mi favorito para {t1} sigue siendo {brand}, os lo digo de corazón {e}"
)
SPONSORED_TEMPLATES = terms(
    "Con {brand} he probado {t1}: os cuento mi opinión sincera {e};"
    "Gracias a {brand} por esta sorpresa: {t1} y {t2} {e};"
    "Código de descuento en stories para {brand} 🛍️ ¡Hoy toca hablar de {t1}!;"
    "Nuevo proyecto con {brand}: {t1} para toda la temporada {e};"
    "{brand} me ha descubierto {t1}, y os lo cuento aquí {e};"
    "Por fin puedo enseñaros la novedad de {brand}: {t1} {e};"
    "Link en la bio para descubrir {t1} de {brand} {e};"
    "He puesto a prueba {t1} de {brand} durante dos semanas: así ha ido {e}"
)
DISCLOSURES = terms(
    "#publi; #publicidad; #colaboración; #ad; (publicidad); en colaboración con {brand};#gifted"
)
BIO_TEMPLATES = terms(
    "{city} · {b1} · {b2};"
    "{e} {b1} | {b2}\n📍 {city};"
    "Os cuento {b1} desde {city} {e};"
    "{b1} · {b2} · mucho cariño ✨ {city};"
    "Aquí se habla de {b1} · {v}\n📩 colaboraciones por DM;"
    "{name} · {b1} · {city};"
    "Pasión por {b1} y {v} {e} {city}"
)
DESCRIPTION_TEMPLATES = terms(
    "{name}: {np}, {vp}. Buscamos voces auténticas que hablen de ello con sinceridad.;"
    "Desde {year}, {name} es sinónimo de {np}. Buscamos creadores que compartan nuestros valores.;"
    "Nueva temporada para {name}: {np} y {vp}. Queremos colaboraciones largas, no posts sueltos.;"
    "{name} nace de la idea de {np}, con {vp}. Para esta campaña buscamos comunidades reales."
)
VALUE_CAPTION_TEMPLATES = terms(
    "Siempre del lado de {v}, también cuando hablamos de {t1} {e};"
    "Para mí, {t1} va de la mano de {v} {e};"
    "Decisiones de cada día: {v}, también para {t1} {e}"
)
FRIEND_TEMPLATES = terms("📸 {friend}; con {friend} 💛; ¡gracias {friend} por el día!")

FIRST_NAMES = terms(
    "lucia; maria; paula; laura; marta; sara; carla; claudia; alba; irene; elena; ana; julia;"
    "valentina; camila; sofia; martina; daniela; ximena; florencia; pablo; alejandro; david;"
    "javier; daniel; adrian; sergio; carlos; diego; mateo; hugo; alvaro; mario; jorge; ivan;"
    "santiago; sebastian; emiliano; joaquin; tomas"
)
SURNAMES = terms(
    "garcia; rodriguez; gonzalez; fernandez; lopez; martinez; sanchez; perez; gomez; martin;"
    "jimenez; ruiz; hernandez; diaz; moreno; alvarez; romero; alonso; navarro; torres;"
    "dominguez; vazquez; ramos; gil; ramirez; serrano; blanco; molina; castro; ortiz"
)
CITIES = {
    "ES": terms("Madrid; Barcelona; Valencia; Sevilla; Bilbao; Málaga; Zaragoza; Granada;"
                "Alicante; Palma"),
    "MX": terms("Ciudad de México; Guadalajara; Monterrey; Puebla; Mérida"),
    "AR": terms("Buenos Aires; Córdoba; Rosario; Mendoza"),
}  # fmt: skip

VOCAB = LanguageVocab(
    language="es",
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
    brand_adjectives=terms("Verde; Libre; Alegre; Noble; Natural; Esencial; Fuerte"),
    brand_houses=terms("Casa; Taller; Estudio; Obrador; Almacén"),
    brand_patterns=terms(
        "{prefix}{root}; {root} {adjective}; {house} {name}; {root} de {city}; {root}&{root2}"
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
    handle_patterns=terms("{n}.{w}; {w}.de.{n}; {n}{w}{d}; {n}.{w}{d}; {w}con{n}; {n}.{s};"
                          "{n}{s}.{w}"),
)  # fmt: skip
