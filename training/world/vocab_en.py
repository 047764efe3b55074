"""English vocabulary (UK, US and Irish creators and brands)."""

from __future__ import annotations

from training.world.vocabulary import LanguageVocab, terms

NICHE_TERMS = {
    "fashion": terms(
        "vintage coats; wool jumpers; high-waisted jeans; white trainers; midi dresses;"
        "oversized blazers; pleated skirts; linen shirts; leather boots; crossbody bags;"
        "silk scarves; office outfits; weekend looks; second-hand finds; charity shop hauls;"
        "natural fabrics; autumn colours; floral prints; chunky cardigans; trench coats;"
        "wide-leg trousers; loafers; minimal jewellery; sunglasses; capsule wardrobes;"
        "seasonal wardrobe swaps; colour pairings; monochrome outfits; denim jackets;"
        "puffer jackets; felt hats; vintage belts; statement sandals; colourful socks;"
        "velvet blazers; hand-knitted knitwear; wedding guest outfits; fashion week shows;"
        "thrifted accessories; inclusive sizing; tailoring tricks; outfit repeats"
    ),
    "beauty": terms(
        "Korean skincare; vitamin C serums; moisturisers; sunscreen; gentle cleansers;"
        "no-makeup makeup; nude lipsticks; volumising mascara; lightweight foundations;"
        "concealers; cream blush; eyeshadow palettes; gel nails; at-home manicures;"
        "face masks; natural scrubs; hair oils; deep conditioners; short haircuts;"
        "curly hair routines; hair colour; evening routines; morning routines;"
        "sensitive skin; combination skin; acne and breakouts; niche perfumes;"
        "solid cosmetics; evening makeup; graphic eyeliner; brushed-up brows;"
        "false lashes; makeup brushes; micellar water; exfoliating toners; retinol;"
        "hyaluronic acid; eye creams; chapped lips; bath salts; nail care; shea butter"
    ),
    "food": terms(
        "quick recipes; homemade pasta; risottos; sourdough bread; focaccia; traybakes;"
        "family recipes; layer cakes; cookies; healthy breakfasts; packed lunches;"
        "dinner parties; starters; lentil soups; seasonal vegetables; one-pot meals;"
        "meal prep; fridge-clearing recipes; pasta sauces; pesto; tiramisu; fruit tarts;"
        "homemade ice cream; brunch spots; natural wines; speciality coffee;"
        "neighbourhood cafés; street food; farmers' markets; cheese boards; olive oil;"
        "spices; omelettes; salads; meatballs; gnocchi; ravioli; sugar-free desserts;"
        "regional dishes; Sunday roasts; batch cooking; comfort food"
    ),
    "travel": terms(
        "medieval villages; weekend getaways; train journeys; Tuscany itineraries;"
        "hidden beaches; Greek islands; art cities; museums; road trips; campsites;"
        "hostels; farm stays; budget flights; carry-on packing; travel backpacks;"
        "solo travel; European capitals; Christmas markets; alpine lakes; coastal paths;"
        "sunsets; mountain sunrises; long-distance walks; cruises; local guides;"
        "street food tours; travel with kids; national parks; Nordic cities; slow travel;"
        "weekends in Paris; the Dolomites; Sicily; the Amalfi Coast; the Scottish Highlands;"
        "Lisbon; boutique hotels; holiday rentals; travel tips; travel photography;"
        "island hopping; city breaks"
    ),
    "fitness": terms(
        "home workouts; morning runs; half marathons; free weights; squats; planks; HIIT;"
        "yoga; pilates; stretching; mobility drills; muscle recovery; plant protein;"
        "protein smoothies; supplements; training plans; local gyms; calisthenics;"
        "trail running; cycling; swimming; road bikes; daily steps; sleep and recovery;"
        "sports nutrition; resistance bands; kettlebells; core work; glute workouts;"
        "short workouts; full-body circuits; brisk walks; running shoes; activewear;"
        "fitness trackers; motivation; fitness goals; warm-ups; cool-downs; CrossFit;"
        "boxing; climbing"
    ),
    "parenting": terms(
        "newborns; breastfeeding; weaning; baby food; bedtime; pushchairs; baby carriers;"
        "cloth nappies; Montessori toys; children's books; picture books; craft activities;"
        "homework; first days of school; healthy snacks; birthday parties; family days out;"
        "holidays with kids; evening routines; tantrums; siblings; pregnancy;"
        "parental leave; work and family; quality time; outdoor play; kids' clothes;"
        "car seats; nurseries; toddler sleep; teething; paediatricians;"
        "emotional development; wooden toys; rainy afternoons; recipes for kids;"
        "kids' sports; bedtime stories; working mums; hands-on dads; school runs"
    ),
    "tech": terms(
        "smartphones; reviews; unboxings; wireless headphones; earbuds; laptops; tablets;"
        "smartwatches; smart home gadgets; voice assistants; cameras; drones; desk setups;"
        "minimal setups; mechanical keyboards; monitors; productivity apps; AI tools;"
        "online privacy; password managers; cloud storage; backups; operating systems;"
        "software updates; battery life; fast chargers; power banks; e-readers;"
        "3D printers; coding; gadgets; tech deals; model comparisons; phone tips;"
        "smart bulbs; robot vacuums; routers; broadband; cybersecurity; startups;"
        "refurbished devices; second-hand electronics"
    ),
    "gaming": terms(
        "video games; Twitch streams; consoles; indie games; RPGs; shooters; speedruns;"
        "esports; tournaments; retro gaming; board games; card games; Nintendo Switch;"
        "PlayStation; Xbox; gaming PCs; graphics cards; gaming mice; gaming headsets;"
        "gaming chairs; open-world games; co-op games; multiplayer; patches; game reviews;"
        "previews; achievements; modding; cosplay; comic cons; anime; manga; soundtracks;"
        "fantasy worlds; strategies; builds; leaderboards; mobile games; horror games;"
        "simulators; racing games; point-and-click adventures"
    ),
    "sustainability": terms(
        "zero waste; recycling; reuse; composting; single-use plastic; reusable bottles;"
        "refill shops; ethical fashion; second-hand; sustainable transport; bikes;"
        "urban gardens; renewable energy; solar panels; carbon footprints; bulk shopping;"
        "local produce; short supply chains; natural cosmetics; repairs; swaps;"
        "clothes swaps; tap water; energy saving; organic farming; bees and biodiversity;"
        "tree planting; beach cleans; climate activism; mindful consumption;"
        "compostable packaging; reusable tableware; tote bags; cold washes; upcycling;"
        "recycled materials; the circular economy; low-impact travel; seasonal food;"
        "food waste; mending; refillable cosmetics"
    ),
    "home": terms(
        "interiors; decluttering; home organisation; houseplants; reading nooks; kitchens;"
        "small bathrooms; bright living rooms; bedrooms; DIY projects; furniture upcycling;"
        "rugs; linen curtains; lamps; scented candles; home textiles; spring cleaning;"
        "renovations; tiles; paint colours; wallpaper; balconies; gardens; shelves;"
        "bookcases; sofas; Scandinavian style; industrial style; vintage furniture;"
        "antique fairs; table settings; Christmas decorations; home offices;"
        "walk-in wardrobes; rented homes; studio flats; house moves; ceramics; cushions;"
        "room fragrances; wicker baskets; laundry rooms"
    ),
    "pets": terms(
        "dogs; cats; puppies; shelter adoptions; walks; dog training; kibble; wet food;"
        "dog treats; cat toys; scratching posts; dog beds; leads; harnesses; grooming;"
        "vet visits; vaccinations; flea treatments; rabbits; hamsters; aquariums; parrots;"
        "travelling with dogs; dog-friendly beaches; dog parks; cat rescues; foster pets;"
        "black cats; senior dogs; mixed breeds; agility; puppy classes; naps; cuddles;"
        "litter trays; cat water fountains; dog coats; pet birthdays; dog sitters;"
        "pet-friendly cafés; dog photos; kittens"
    ),
}

NICHE_HASHTAGS = {
    "fashion": terms("#ootd; #fashion; #outfitinspo; #style; #whatiwore; #vintagestyle"),
    "beauty": terms("#skincare; #makeup; #beauty; #skincareroutine; #makeuplook; #haircare"),
    "food": terms("#easyrecipes; #homecooking; #foodie; #recipeoftheday; #homemade; #bakeoff"),
    "travel": terms("#travel; #wanderlust; #weekendaway; #travelgram; #citybreak; #slowtravel"),
    "fitness": terms("#fitness; #workout; #gymlife; #running; #homeworkout; #fitfam"),
    "parenting": terms("#parenting; #momlife; #dadlife; #toddlerlife; #familytime; #mumlife"),
    "tech": terms("#tech; #gadgets; #techreview; #unboxing; #desksetup; #smartphone"),
    "gaming": terms("#gaming; #gamer; #twitch; #videogames; #retrogaming; #indiegames"),
    "sustainability": terms(
        "#sustainability; #zerowaste; #ecofriendly; #sustainablefashion; #plasticfree"
    ),
    "home": terms("#homedecor; #interiors; #interiordesign; #homeinspo; #diyhome"),
    "pets": terms("#dogsofinstagram; #catsofinstagram; #adoptdontshop; #doglife; #catlife"),
}

NICHE_BIO = {
    "fashion": terms("sustainable style and thrifting; everyday outfits; vintage and tailoring"),
    "beauty": terms("skincare and natural makeup; honest beauty reviews; curly hair care"),
    "food": terms("quick and easy recipes; home cooking; sourdough and baking"),
    "travel": terms("slow travel and small towns; weekend getaways; Europe by train"),
    "fitness": terms("home workouts; running and wellbeing; strength and mobility"),
    "parenting": terms("parent life, unfiltered; toddler adventures; books and play for kids"),
    "tech": terms("honest tech reviews; gadgets and phones; desk setups and productivity"),
    "gaming": terms("games and live streams; retro and indie games; console and PC"),
    "sustainability": terms("low-waste living; everyday sustainability; creative reuse"),
    "home": terms("home, interiors and DIY; decluttering and organising; plants and interiors"),
    "pets": terms("life with dogs and cats; rescue and pet welfare; four-legged adventures"),
}

NICHE_HANDLE_WORDS = {
    "fashion": terms("style; wears; closet; thrift; vintage"),
    "beauty": terms("beauty; glow; skin; makeup; lashes"),
    "food": terms("kitchen; cooks; bakes; eats; recipes"),
    "travel": terms("travels; wanders; roams; trips; abroad"),
    "fitness": terms("fit; runs; lifts; moves; strong"),
    "parenting": terms("mum; dad; family; littles; parenting"),
    "tech": terms("tech; geek; bytes; gadgets"),
    "gaming": terms("games; plays; gamer; pixel; respawn"),
    "sustainability": terms("green; eco; lowwaste; earth; reuse"),
    "home": terms("home; nest; interiors; decor; abode"),
    "pets": terms("dog; paws; cat; woof; pets"),
}

VALUE_TERMS = {
    "vegan": terms("vegan cooking; plant-based recipes; cruelty-free products; oat milk;"
                   "plant-based swaps; vegan cosmetics; tofu and tempeh"),
    "eco": terms("sustainable choices; plastic-free living; recycled materials;"
                 "mindful shopping; refillable products; reuse"),
    "handmade": terms("handmade pieces; artisan workshops; crochet projects; handmade ceramics;"
                      "one-of-a-kind pieces"),
    "budget": terms("budget ideas; bargains; smart spending; saving money; affordable dupes"),
    "luxury": terms("iconic pieces; luxury hotels; fine materials; exclusive experiences;"
                    "high-end finds"),
    "family": terms("family moments; time with the kids; family Sundays; family traditions"),
    "outdoor": terms("hikes; fresh air; the mountains; trekking; picnics in the park;"
                     "outdoor adventures"),
    "minimalist": terms("simplicity; owning less; minimalist wardrobes; clear spaces;"
                        "clean design"),
    "local": terms("local produce; local makers; small businesses; regional specialities;"
                   "neighbourhood markets"),
    "techsavvy": terms("useful apps; smart gadgets; automations; connected devices"),
    "wellness": terms("mental health; meditation; good sleep; self-care rituals; breathwork"),
}  # fmt: skip

VALUE_HASHTAGS = {
    "vegan": terms("#vegan; #plantbased; #crueltyfree"),
    "eco": terms("#sustainableliving; #ecofriendly; #zerowaste; #greenliving"),
    "handmade": terms("#handmade; #makersgonnamake; #artisan"),
    "budget": terms("#budgetfriendly; #savemoney; #affordable"),
    "luxury": terms("#luxury; #luxurylifestyle"),
    "family": terms("#family; #familytime"),
    "outdoor": terms("#outdoors; #hiking; #getoutside"),
    "minimalist": terms("#minimalism; #lessismore"),
    "local": terms("#shoplocal; #supportsmallbusiness; #madelocal"),
    "techsavvy": terms("#smarthome; #innovation"),
    "wellness": terms("#wellness; #selfcare; #mindfulness"),
}

VALUE_BRAND_PHRASES = {
    "vegan": terms("100% plant-based formulas; no animal-derived ingredients;"
                   "certified vegan"),
    "eco": terms("sustainability; recycled materials; compostable packaging;"
                 "lower emissions"),
    "handmade": terms("artisan craftsmanship; made by hand; workshop tradition"),
    "budget": terms("affordable prices; quality everyone can afford"),
    "luxury": terms("excellence; premium materials; exclusivity"),
    "family": terms("made for the whole family; safe for little ones"),
    "outdoor": terms("life outdoors; built for any weather"),
    "minimalist": terms("minimal design; less but better"),
    "local": terms("made locally; short supply chain; ethical local production"),
    "techsavvy": terms("innovation; smart technology"),
    "wellness": terms("everyday wellbeing; balance of body and mind"),
}  # fmt: skip

NICHE_BRAND_PHRASES = {
    "fashion": terms("timeless wardrobe staples; capsule collections; natural fabrics"),
    "beauty": terms("effective skincare; gentle cosmetics; skin health"),
    "food": terms("traditional recipes; honest ingredients; small-batch pasta"),
    "travel": terms("authentic travel experiences; tailor-made itineraries; slow tourism"),
    "fitness": terms("training for everyone; activewear; sports nutrition"),
    "parenting": terms("baby and toddler essentials; educational toys; growing up together"),
    "tech": terms("consumer electronics; smart accessories; reliable devices"),
    "gaming": terms("gaming peripherals; a community of players; independent games"),
    "sustainability": terms("the circular economy; zero-impact products; zero waste"),
    "home": terms("furniture and design; home textiles; homeware"),
    "pets": terms("natural food for dogs and cats; animal welfare; pet accessories"),
}

BRAND_ROOTS = {
    "fashion": terms("Thread; Loom; Stitch; Tailor; Seam; Wardrobe"),
    "beauty": terms("Glow; Bloom; Balm; Skin; Petal; Dew"),
    "food": terms("Pantry; Oven; Harvest; Larder; Crumb; Table"),
    "travel": terms("Compass; Voyage; Trail; Wander; Route; Passport"),
    "fitness": terms("Stride; Pulse; Motion; Core; Peak"),
    "parenting": terms("Cradle; Nest; Little; Sprout; Acorn"),
    "tech": terms("Circuit; Byte; Signal; Pixel; Volt"),
    "gaming": terms("Quest; Arcade; Level; Respawn; Dice"),
    "sustainability": terms("Earth; Root; Leaf; Seed; Cycle"),
    "home": terms("Hearth; Home; Haven; Nook; Loft"),
    "pets": terms("Paw; Tail; Whisker; Bark; Kennel"),
}
VALUE_PREFIXES = {
    "vegan": terms("Plant; Veg"), "eco": terms("Green; Eco; Bio"),
    "handmade": terms("Maker; Craft"), "budget": terms("Smart; Easy"),
    "luxury": terms("Gold; Noble"), "family": terms("Kin; Together"),
    "outdoor": terms("Wild; Alpine"), "minimalist": terms("Pure; Simple"),
    "local": terms("Local; Heritage"), "techsavvy": terms("Neo; Smart"),
    "wellness": terms("Well; Calm"),
}  # fmt: skip

CAPTION_TEMPLATES = terms(
    "Let's talk about {t1} {e};"
    "Three things I'm loving right now: {t1}, {t2} and {t3} {e};"
    "Who else is obsessed with {t1}? Tell me in the comments 👇;"
    "New reel on {t1}: drop your questions below {e};"
    "A week all about {t1} and {v} {e};"
    "Weekend in {city}: {t1} and {t2} {e};"
    "A beginner's guide to {t1}. Save it for later 📌;"
    "Serious question: {t1} or {t2}? I know my answer {e};"
    "Today's routine: {t1} first, then {t2}. Simple, but it works.;"
    "Mistakes I used to make with {t1} (and how I fixed them) 👇;"
    "First time trying {t1} and it was a success {e};"
    "Month in review: {t1}, {t2}, {t3}. What do you want to see next month?;"
    "Tip of the day: pair {t1} with {t2} {e};"
    "Behind the scenes of my new video on {t1} 🎬;"
    "Poll in my stories: {t1} or {v}? Go vote! {e};"
    "{t1} + {t2} = the perfect combo {e};"
    "You asked so much about {t1}, so it's all in the carousel ➡️;"
    "Slow Sunday in {city}: {t1}, {v} and no alarm {e};"
    "If I could recommend one thing today? {t1}. Trust me {e}"
)
ORGANIC_MENTION_TEMPLATES = terms(
    "If you follow me you know: for {t1} I've trusted {brand} for years {e};"
    "Reordered from {brand} for the umpteenth time. Nobody pays me to say it, it just works.;"
    "Small everyday joys: {t1} and a parcel from {brand} {e};"
    "You always ask what I use for {t1}: {brand}, my own choice, every time.;"
    "Popped into {brand} today and, as usual, left with full hands {e};"
    "{brand} in my feed again? Yes, because I genuinely believe in them {e};"
    "My favourite for {t1} is still {brand}, hand on heart {e}"
)
SPONSORED_TEMPLATES = terms(
    "I tried {t1} with {brand}: here are my honest thoughts {e};"
    "Thank you {brand} for this surprise: {t1} and {t2} {e};"
    "Discount code in my stories for {brand} 🛍️ Today it's all about {t1}!;"
    "New project with {brand}: {t1} all season long {e};"
    "{brand} introduced me to {t1}, and I'm telling you all about it {e};"
    "Finally I can show you what's new at {brand}: {t1} {e};"
    "Link in bio to discover {t1} from {brand} {e};"
    "I put {t1} from {brand} to the test for two weeks: here's how it went {e}"
)
DISCLOSURES = terms(
    "#ad; #sponsored; #advertising; #partner; #gifted; Paid partnership with {brand};"
    "#suppliedby {brand}"
)
BIO_TEMPLATES = terms(
    "{city} · {b1} · {b2};"
    "{e} {b1} | {b2}\n📍 {city};"
    "Sharing {b1} from {city} {e};"
    "{b1} · {b2} · lots of love ✨ {city};"
    "All about {b1} · {v}\n📩 collabs via DM;"
    "{name} · {b1} · {city};"
    "Into {b1} and {v} {e} {city}"
)
DESCRIPTION_TEMPLATES = terms(
    "{name}: {np}, {vp}. We are looking for authentic voices who talk about it honestly.;"
    "Since {year}, {name} has stood for {np}. We want creators who share our values.;"
    "A new season for {name}: {np} and {vp}. We want long-term partnerships, not one-offs.;"
    "{name} was born from {np}, with {vp}. For this campaign we want real communities."
)
VALUE_CAPTION_TEMPLATES = terms(
    "Always team {v}, even when it comes to {t1} {e};"
    "For me, {t1} goes hand in hand with {v} {e};"
    "Everyday choices: {v}, even for {t1} {e}"
)
FRIEND_TEMPLATES = terms("📸 {friend}; with {friend} 💛; thanks {friend} for the day!")

FIRST_NAMES = terms(
    "emma; olivia; amelia; isla; ava; grace; lily; chloe; sophie; ella; hannah; megan; lucy;"
    "holly; zoe; maya; jess; katie; aoife; niamh; jack; harry; oliver; george; noah; leo;"
    "charlie; alfie; james; tom; sam; ben; luke; ryan; josh; dan; liam; sean; conor; ethan"
)
SURNAMES = terms(
    "smith; jones; taylor; brown; williams; wilson; johnson; davies; evans; walker; wright;"
    "thompson; white; hughes; green; hall; wood; clarke; murphy; kelly; walsh; byrne; miller;"
    "davis; garcia; martin; lee; clark; lewis; young"
)
CITIES = {
    "GB": terms("London; Manchester; Bristol; Leeds; Edinburgh; Glasgow; Brighton; Liverpool;"
                "Birmingham; Cardiff"),
    "US": terms("New York; Los Angeles; Austin; Chicago; Seattle; Portland; Denver; Atlanta;"
                "Boston; Nashville; Miami; San Diego"),
    "IE": terms("Dublin; Cork; Galway; Limerick"),
}  # fmt: skip

VOCAB = LanguageVocab(
    language="en",
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
    brand_adjectives=terms("Bright; Honest; Bold; Kind; True; Fair; Good"),
    brand_houses=terms("Studio; House; Workshop; Atelier; Supply"),
    brand_patterns=terms(
        "{prefix}{root}; {adjective} {root}; {house} {name}; {root} & {root2}; The {root} Co."
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
    handle_patterns=terms("{n}.{w}; {n}{w}; {n}.{s}; {n}{w}{d}; the.{w}.{n}; {n}.{s}.{w};"
                          "{n}{s}{d}"),
)  # fmt: skip
