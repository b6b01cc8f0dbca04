"""Small tables of stable world facts for the factual QA family, written for this project.

Facts only (capitals, chemical symbols, continents), with the spellings a correct answer may use
as aliases. Questions that would need a current or contested fact are left out on purpose.
"""

from __future__ import annotations

# country: (capital and its accepted spellings, continent)
COUNTRIES: dict[str, tuple[list[str], str]] = {
    "Argentina": (["Buenos Aires"], "South America"), "Australia": (["Canberra"], "Oceania"),
    "Austria": (["Vienna", "Wien"], "Europe"), "Bangladesh": (["Dhaka", "Dacca"], "Asia"),
    "Belgium": (["Brussels", "Bruxelles"], "Europe"), "Brazil": (["Brasilia", "Brasília"], "South America"),
    "Bulgaria": (["Sofia"], "Europe"), "Canada": (["Ottawa"], "North America"),
    "Chile": (["Santiago"], "South America"), "China": (["Beijing", "Peking"], "Asia"),
    "Colombia": (["Bogota", "Bogotá"], "South America"), "Cuba": (["Havana", "La Habana"], "North America"),
    "Czech Republic": (["Prague", "Praha"], "Europe"), "Denmark": (["Copenhagen"], "Europe"),
    "Egypt": (["Cairo"], "Africa"), "Ethiopia": (["Addis Ababa"], "Africa"), "Finland": (["Helsinki"], "Europe"),
    "France": (["Paris"], "Europe"), "Germany": (["Berlin"], "Europe"), "Ghana": (["Accra"], "Africa"),
    "Greece": (["Athens"], "Europe"), "Hungary": (["Budapest"], "Europe"), "Iceland": (["Reykjavik", "Reykjavík"], "Europe"),
    "India": (["New Delhi"], "Asia"), "Indonesia": (["Jakarta"], "Asia"), "Iran": (["Tehran", "Teheran"], "Asia"),
    "Iraq": (["Baghdad"], "Asia"), "Ireland": (["Dublin"], "Europe"), "Italy": (["Rome", "Roma"], "Europe"),
    "Japan": (["Tokyo"], "Asia"), "Kenya": (["Nairobi"], "Africa"), "Mexico": (["Mexico City"], "North America"),
    "Morocco": (["Rabat"], "Africa"), "Nepal": (["Kathmandu"], "Asia"), "Netherlands": (["Amsterdam"], "Europe"),
    "New Zealand": (["Wellington"], "Oceania"), "Nigeria": (["Abuja"], "Africa"), "Norway": (["Oslo"], "Europe"),
    "Pakistan": (["Islamabad"], "Asia"), "Peru": (["Lima"], "South America"), "Philippines": (["Manila"], "Asia"),
    "Poland": (["Warsaw", "Warszawa"], "Europe"), "Portugal": (["Lisbon", "Lisboa"], "Europe"),
    "Romania": (["Bucharest"], "Europe"), "Russia": (["Moscow"], "Europe"), "Saudi Arabia": (["Riyadh"], "Asia"),
    "Senegal": (["Dakar"], "Africa"), "South Korea": (["Seoul"], "Asia"), "Spain": (["Madrid"], "Europe"),
    "Sweden": (["Stockholm"], "Europe"), "Thailand": (["Bangkok"], "Asia"), "Tunisia": (["Tunis"], "Africa"),
    "Turkey": (["Ankara"], "Asia"), "Uganda": (["Kampala"], "Africa"), "Ukraine": (["Kyiv", "Kiev"], "Europe"),
    "United Kingdom": (["London"], "Europe"), "Uruguay": (["Montevideo"], "South America"),
    "Venezuela": (["Caracas"], "South America"), "Vietnam": (["Hanoi", "Ha Noi"], "Asia"),
    "Zambia": (["Lusaka"], "Africa"), "Zimbabwe": (["Harare"], "Africa"),
}

# element: (symbol, atomic number)
ELEMENTS: dict[str, tuple[str, int]] = {
    "hydrogen": ("H", 1), "helium": ("He", 2), "lithium": ("Li", 3), "beryllium": ("Be", 4), "boron": ("B", 5),
    "carbon": ("C", 6), "nitrogen": ("N", 7), "oxygen": ("O", 8), "fluorine": ("F", 9), "neon": ("Ne", 10),
    "sodium": ("Na", 11), "magnesium": ("Mg", 12), "aluminium": ("Al", 13), "silicon": ("Si", 14),
    "phosphorus": ("P", 15), "sulfur": ("S", 16), "chlorine": ("Cl", 17), "argon": ("Ar", 18),
    "potassium": ("K", 19), "calcium": ("Ca", 20), "titanium": ("Ti", 22), "chromium": ("Cr", 24),
    "manganese": ("Mn", 25), "iron": ("Fe", 26), "cobalt": ("Co", 27), "nickel": ("Ni", 28), "copper": ("Cu", 29),
    "zinc": ("Zn", 30), "arsenic": ("As", 33), "bromine": ("Br", 35), "krypton": ("Kr", 36), "silver": ("Ag", 47),
    "tin": ("Sn", 50), "iodine": ("I", 53), "xenon": ("Xe", 54), "tungsten": ("W", 74), "platinum": ("Pt", 78),
    "gold": ("Au", 79), "mercury": ("Hg", 80), "lead": ("Pb", 82), "uranium": ("U", 92),
}
