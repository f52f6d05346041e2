"""The demo's car market: a catalogue of real models, deterministic listings and drawn photos.

Everything is derived from a fixed random seed, so the demo looks the same on every run and a second
seed finds every car (by VIN) already there.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from django_car_listing.validators import NORTH_AMERICAN_WMI_START, vin_check_digit

# make -> (world manufacturer identifier, [(model, body type, fuels, new price)])
CATALOGUE = {
    "Volkswagen": ("WVW", [("Golf", "hatchback", ["petrol", "diesel", "hybrid"], 28000),
                           ("Passat Variant", "wagon", ["diesel", "petrol"], 36000),
                           ("Tiguan", "suv", ["petrol", "diesel"], 38000), ("ID.4", "suv", ["electric"], 45000),
                           ("Transporter", "van", ["diesel"], 42000)]),
    "Audi": ("WAU", [("A3", "hatchback", ["petrol", "diesel"], 32000),
                     ("A4 Avant", "wagon", ["diesel", "petrol"], 44000),
                     ("Q5", "suv", ["diesel", "hybrid"], 55000), ("A5 Cabriolet", "convertible", ["petrol"], 52000)]),
    "BMW": ("WBA", [("320d", "sedan", ["diesel"], 45000), ("X3", "suv", ["diesel", "hybrid"], 55000),
                    ("i4", "coupe", ["electric"], 58000), ("118i", "hatchback", ["petrol"], 31000)]),
    "Mercedes-Benz": ("WDD", [("C 220 d", "sedan", ["diesel"], 48000), ("E 300 e", "wagon", ["hybrid"], 62000),
                              ("GLC", "suv", ["diesel", "hybrid"], 58000), ("Vito", "van", ["diesel"], 45000)]),
    "Volvo": ("YV1", [("XC60", "suv", ["hybrid", "diesel"], 52000), ("V60", "wagon", ["diesel", "hybrid"], 45000),
                      ("XC40 Recharge", "suv", ["electric"], 50000)]),
    "Skoda": ("TMB", [("Octavia Combi", "wagon", ["diesel", "petrol"], 30000),
                      ("Fabia", "hatchback", ["petrol"], 19000),
                      ("Kodiaq", "suv", ["diesel", "petrol"], 40000), ("Enyaq", "suv", ["electric"], 44000)]),
    "Renault": ("VF1", [("Clio", "hatchback", ["petrol", "lpg"], 19000),
                        ("Megane E-Tech", "hatchback", ["electric"], 38000),
                        ("Kangoo", "van", ["diesel"], 26000)]),
    "Peugeot": ("VF3", [("208", "hatchback", ["petrol", "electric"], 21000),
                        ("3008", "suv", ["hybrid", "diesel"], 36000),
                        ("508 SW", "wagon", ["diesel", "hybrid"], 40000)]),
    "Fiat": ("ZFA", [("500", "hatchback", ["petrol", "electric"], 17000),
                     ("Panda", "hatchback", ["petrol", "lpg"], 14000),
                     ("Ducato", "van", ["diesel"], 38000)]),
    "Toyota": ("JTD", [("Corolla", "sedan", ["hybrid", "petrol"], 27000), ("RAV4", "suv", ["hybrid"], 38000),
                       ("Yaris", "hatchback", ["hybrid", "petrol"], 20000), ("Hilux", "pickup", ["diesel"], 40000),
                       ("GR86", "coupe", ["petrol"], 33000)]),
    "Honda": ("JHM", [("Civic", "hatchback", ["petrol", "hybrid"], 28000), ("CR-V", "suv", ["hybrid"], 39000)]),
    "Mazda": ("JM1", [("MX-5", "convertible", ["petrol"], 30000), ("CX-5", "suv", ["petrol", "diesel"], 34000),
                      ("Mazda3", "sedan", ["petrol"], 26000)]),
    "Hyundai": ("KMH", [("i30", "hatchback", ["petrol", "diesel"], 24000),
                        ("Tucson", "suv", ["hybrid", "petrol"], 35000),
                        ("Ioniq 5", "suv", ["electric"], 46000)]),
    "Kia": ("KNA", [("Ceed SW", "wagon", ["petrol", "diesel"], 26000), ("Sportage", "suv", ["hybrid", "diesel"], 34000),
                    ("EV6", "suv", ["electric"], 50000)]),
    "Ford": ("1FA", [("Mustang", "coupe", ["petrol"], 48000), ("Mustang Mach-E", "suv", ["electric"], 52000)]),
    "Ford Trucks": ("1FT", [("F-150", "pickup", ["petrol", "hybrid"], 50000), ("Transit", "van", ["diesel"], 44000)]),
    "Tesla": ("5YJ", [("Model 3", "sedan", ["electric"], 45000), ("Model Y", "suv", ["electric"], 50000)]),
    "Jeep": ("1C4", [("Wrangler", "suv", ["petrol"], 48000), ("Gladiator", "pickup", ["petrol"], 52000)]),
}
MAKE_NAME = {"Ford Trucks": "Ford"}
COLOURS = {"White": (236, 238, 240), "Black": (30, 32, 36), "Silver": (176, 182, 190), "Grey": (110, 116, 124),
           "Blue": (32, 84, 160), "Red": (180, 30, 36), "Green": (40, 110, 70), "Beige": (205, 190, 160),
           "Orange": (225, 120, 30), "Yellow": (235, 195, 40)}
CITIES = ["London", "Manchester", "Bristol", "Leeds", "Glasgow", "Birmingham", "Cardiff", "Edinburgh", "Oxford",
          "Brighton", "Newcastle", "Norwich"]
NOTES = ["Full service history.", "One careful owner.", "Two keys, non-smoker.", "New tyres fitted last spring.",
         "Recently serviced, MOT until next year.", "Tow bar and roof rails.", "Heated seats, parking sensors.",
         "Small scratch on the rear bumper, priced accordingly.", "Garage kept.", "Panoramic roof."]
THIS_YEAR = 2026


@dataclass(frozen=True)
class Listing:
    serial: int
    store: str  # dealership slug, "" for a private seller's car
    make: str
    model: str
    body_type: str
    fuel: str
    transmission: str
    year: int
    mileage: int
    price: Decimal
    colour: str
    location: str
    description: str
    vin: str
    price_drop: Decimal | None  # a later, lower asking price

    @property
    def title(self) -> str:
        return f"{self.year} {self.make} {self.model}"


def vin_for(wmi: str, serial: int, year: int) -> str:
    """A well-formed VIN, unique per serial; North American ones carry their check digit."""
    year_code = "ABCDEFGHJKLMNPRSTVWXY123456789"[(year - 2010) % 30]
    body = f"{wmi}DM{serial % 1000:03d}0{year_code}S{serial:06d}"
    return body[:8] + vin_check_digit(body) + body[9:] if wmi[0] in NORTH_AMERICAN_WMI_START else body


def listings(count: int, stores: list[str]) -> list[Listing]:
    """``count`` listings spread over ``stores`` (slugs; "" is private sellers), always the same for a count."""
    rng = random.Random(2026)
    makes = sorted(CATALOGUE)
    out = []
    for serial in range(1, count + 1):
        make = rng.choice(makes)
        wmi, models = CATALOGUE[make]
        model, body, fuels, new_price = rng.choice(models)
        year = rng.randint(2010, THIS_YEAR) if fuels != ["electric"] else rng.randint(2018, THIS_YEAR)
        age = THIS_YEAR - year
        mileage = max(50, int(age * rng.uniform(6000, 18000)))
        value = new_price * (0.85 ** age) * rng.uniform(0.9, 1.1)
        price = Decimal(max(1500, round(value / 50) * 50)).quantize(Decimal("0.01"))
        fuel = rng.choice(fuels)
        automatic = fuel in ("electric", "hybrid") or rng.random() < 0.45
        drop = None
        if rng.random() < 0.2:
            drop = (price * Decimal(rng.choice(["0.95", "0.93", "0.9"]))).quantize(Decimal("1"))
        out.append(Listing(
            serial=serial, store=stores[serial % len(stores)], make=MAKE_NAME.get(make, make), model=model,
            body_type=body, fuel=fuel, transmission="automatic" if automatic else "manual", year=year,
            mileage=mileage, price=price, colour=rng.choice(list(COLOURS)), location=rng.choice(CITIES),
            description=" ".join(rng.sample(NOTES, 2)), vin=vin_for(wmi, serial, year),
            price_drop=Decimal(drop).quantize(Decimal("0.01")) if drop else None))
    return out


# --- photos ----------------------------------------------------------------------------------------

# Side profiles on a 640 x 400 canvas: (x, y) outline of the body, then the glass area.
_SHAPES = {
    "sedan": ([(70, 270), (90, 225), (190, 215), (250, 165), (400, 160), (470, 212), (570, 225), (580, 270)],
              [(262, 172), (395, 168), (448, 212), (215, 215)]),
    "hatchback": ([(90, 270), (100, 220), (200, 208), (260, 160), (440, 158), (500, 215), (550, 225), (555, 270)],
                  [(272, 168), (432, 166), (480, 212), (225, 210)]),
    "wagon": ([(60, 270), (75, 222), (180, 210), (240, 160), (520, 158), (560, 215), (580, 230), (585, 270)],
              [(252, 168), (510, 166), (540, 212), (205, 212)]),
    "suv": ([(70, 280), (75, 210), (170, 198), (230, 135), (500, 132), (550, 200), (580, 215), (585, 280)],
            [(242, 145), (490, 142), (530, 198), (195, 200)]),
    "coupe": ([(70, 268), (95, 228), (220, 212), (290, 170), (400, 168), (480, 214), (575, 228), (580, 268)],
              [(300, 178), (392, 176), (455, 212), (245, 213)]),
    "convertible": ([(70, 268), (90, 228), (250, 214), (300, 196), (420, 196), (470, 214), (575, 226), (580, 268)],
                    [(305, 200), (330, 200), (325, 214), (300, 214)]),
    "pickup": ([(55, 280), (60, 212), (170, 200), (220, 140), (350, 138), (370, 198), (590, 200), (592, 280)],
               [(232, 150), (342, 148), (350, 198), (195, 200)]),
    "van": ([(60, 285), (62, 200), (120, 130), (560, 120), (585, 150), (590, 285)],
            [(130, 140), (250, 136), (250, 200), (85, 200)]),
}
_WHEELS = {"van": (150, 500), "pickup": (150, 480)}


def photo(listing: Listing) -> bytes:
    """A 4:3 JPEG of the car's side in its colour, on a sky-and-road background, with its title."""
    width, height, lift = 640, 480, 60  # the profiles are drawn for 400 px; the sky takes the rest
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    road = 300 + lift
    for y in range(height):  # sky to haze, then asphalt
        if y < road:
            t = y / road
            draw.line([(0, y), (width, y)], fill=(int(120 + 100 * t), int(170 + 60 * t), int(225 + 20 * t)))
        else:
            draw.line([(0, y), (width, y)], fill=(70, 74, 80))
    draw.rectangle([0, road - 4, width, road + 2], fill=(210, 210, 200))
    shape, glass = _SHAPES.get(listing.body_type, _SHAPES["sedan"])
    body = [(x, y + lift) for x, y in shape]
    colour = COLOURS[listing.colour]
    shade = tuple(max(0, c - 40) for c in colour)
    draw.polygon(body, fill=colour, outline=shade)
    draw.polygon([(x, y + lift) for x, y in glass], fill=(60, 80, 100))
    left, right = min(x for x, _ in body), max(x for x, _ in body)
    draw.line([(left + 10, 245 + lift), (right - 10, 245 + lift)], fill=shade, width=3)
    front, rear = _WHEELS.get(listing.body_type, (165, 480))
    wheel_y = max(y for _, y in body)
    for x in (front, rear):
        draw.ellipse([x - 38, wheel_y - 38, x + 38, wheel_y + 38], fill=(25, 25, 28))
        draw.ellipse([x - 18, wheel_y - 18, x + 18, wheel_y + 18], fill=(170, 174, 180))
    font = ImageFont.load_default(size=28)
    draw.rectangle([0, height - 56, width, height], fill=(18, 53, 91))
    draw.text((20, height - 45), listing.title, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=78)
    return buffer.getvalue()
