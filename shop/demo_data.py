"""Word lists for the demo store: a neighbourhood grocery that delivers."""

from decimal import Decimal

BUSINESS = {
    "name": "Corner Market",
    "description": "Fresh bread, produce and pantry staples from the corner, delivered in under an hour.",
    "email": "hello@cornermarket.example.com",
    "phone": "+1 212 555 0147",
    "address": "214 Mercer Street, New York, NY 10012",
    "currency": "USD",
    "timezone": "America/New_York",
    "opening_hours": {
        day: {"open": "08:00", "close": "22:00"} for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    },
    "is_open": True,
    "delivery_fee": Decimal("3.99"),
    "min_order_amount": Decimal("10.00"),
    "tax_rate": Decimal("8.88"),
}

# category -> [(base name, base price, description)]
CATALOG = {
    "Bakery": [
        ("Sourdough Loaf", "6.50", "Naturally leavened, baked every morning."),
        ("Butter Croissant", "3.25", "Flaky, all-butter, laminated over three days."),
        ("Whole Wheat Bread", "5.25", "Stone-ground flour, soft crumb."),
        ("Cinnamon Roll", "3.75", "Brown sugar swirl with cream cheese icing."),
        ("Bagels", "7.00", "Boiled and baked, half a dozen."),
        ("Baguette", "3.50", "Crisp crust, open crumb."),
        ("Blueberry Muffin", "3.00", "Bursting with wild blueberries."),
        ("Focaccia", "6.00", "Olive oil, rosemary and sea salt."),
    ],
    "Produce": [
        ("Bananas", "1.99", "A bunch of ripe bananas."),
        ("Hass Avocados", "4.99", "Ready to eat within a day or two."),
        ("Honeycrisp Apples", "5.49", "Crisp and sweet, about 1 kg."),
        ("Baby Spinach", "3.99", "Washed and ready to eat."),
        ("Vine Tomatoes", "4.29", "Ripened on the vine."),
        ("Lemons", "2.99", "Juicy and fragrant."),
        ("Strawberries", "5.99", "Sweet, local when in season."),
        ("Sweet Potatoes", "3.49", "Orange-fleshed, great roasted."),
        ("Yellow Onions", "2.49", "Kitchen essential."),
    ],
    "Dairy & Eggs": [
        ("Whole Milk", "4.49", "From grass-fed cows."),
        ("Greek Yogurt", "5.99", "Thick and tangy, plain."),
        ("Free-Range Eggs", "6.49", "A dozen large brown eggs."),
        ("Salted Butter", "5.29", "Cultured cream butter."),
        ("Aged Cheddar", "7.99", "Sharp, aged twelve months."),
        ("Fresh Mozzarella", "5.49", "Soft and milky."),
        ("Oat Milk", "4.99", "Creamy, barista style."),
    ],
    "Pantry": [
        ("Extra Virgin Olive Oil", "12.99", "Cold-pressed, peppery finish."),
        ("Spaghetti", "2.79", "Bronze-cut durum wheat pasta."),
        ("Basmati Rice", "6.49", "Long grain, aged."),
        ("Crushed Tomatoes", "3.29", "San Marzano style."),
        ("Peanut Butter", "4.99", "Just peanuts and salt."),
        ("Rolled Oats", "4.29", "Whole grain, old-fashioned."),
        ("Wildflower Honey", "8.99", "Raw and unfiltered."),
        ("Black Beans", "1.99", "Ready to heat."),
    ],
    "Beverages": [
        ("Cold Brew Coffee", "4.49", "Steeped for twenty hours."),
        ("Sparkling Water", "1.49", "Crisp, lightly carbonated."),
        ("Orange Juice", "5.49", "Fresh squeezed, not from concentrate."),
        ("Green Tea", "5.99", "Twenty bags, Japanese sencha."),
        ("Kombucha", "3.99", "Raw, ginger and lemon."),
        ("Ground Coffee", "11.99", "Medium roast, single origin."),
    ],
    "Snacks": [
        ("Sea Salt Chips", "3.99", "Kettle-cooked."),
        ("Dark Chocolate Bar", "3.49", "Seventy percent cacao."),
        ("Trail Mix", "6.49", "Nuts, seeds and dried fruit."),
        ("Popcorn", "2.99", "Lightly salted, air-popped."),
        ("Granola Bars", "5.49", "Oats and honey, box of six."),
        ("Salted Almonds", "7.49", "Roasted in small batches."),
    ],
    "Prepared Meals": [
        ("Chicken Caesar Salad", "9.99", "Romaine, parmesan, house dressing."),
        ("Margherita Pizza", "12.99", "Wood-fired, ready to heat."),
        ("Vegetable Lasagna", "11.49", "Layers of ricotta and roasted vegetables."),
        ("Turkey Club Sandwich", "8.99", "On toasted sourdough."),
        ("Chicken Tikka Masala", "12.49", "With basmati rice."),
        ("Falafel Wrap", "8.49", "Tahini, pickles and greens."),
    ],
    "Household": [
        ("Dish Soap", "3.99", "Plant-based, unscented."),
        ("Paper Towels", "6.99", "Six rolls."),
        ("Laundry Detergent", "13.99", "Forty loads, free and clear."),
        ("Trash Bags", "8.49", "Thirteen gallon, forty count."),
        ("Sponges", "3.49", "Pack of three."),
    ],
}

# Later variants of a base product, with a price factor, when more products are asked for than bases.
VARIANTS = [
    ("Organic", "1.35"),
    ("Family Size", "1.80"),
    ("Mini", "0.65"),
    ("Local", "1.15"),
    ("Value Pack", "2.40"),
    ("Premium", "1.55"),
    ("Reserve", "1.90"),
    ("Classic", "1.00"),
]

FIRST_NAMES = (
    "Olivia Liam Emma Noah Ava Elijah Sophia Mateo Isabella Lucas Mia Levi Amelia Ezra Harper Asher "
    "Evelyn James Luna Leo Camila Aiden Gianna Luca Aria Ethan Ella Mason Nova Ben Priya Arjun Mei "
    "Hiro Fatima Omar Chloe Diego Zoe Kofi Ama Ines Tomas Sara Yusuf Lena Ivan Nadia Sam Rosa"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Kim Patel Chen Okafor Rossi Novak"
).split()
STREETS = (
    "Mercer Street, Bleecker Street, Prince Street, Spring Street, Houston Street, Lafayette Street, "
    "Broome Street, Greene Street, Sullivan Street, Thompson Street, Grand Street, Elizabeth Street, "
    "Mott Street, Mulberry Street, Bowery, Crosby Street, Wooster Street, Kenmare Street"
).split(", ")
ORDER_NOTES = [
    "Please ring the bell twice.",
    "Leave at the door.",
    "Call when you arrive.",
    "Buzzer is broken, please call.",
    "Ripe avocados please!",
    "No plastic bags if possible.",
    "Fourth floor, no elevator, sorry!",
]

# Relative order volume per local hour (0-23) within opening hours: breakfast, lunch and dinner peaks.
HOURLY_WEIGHTS = [0, 0, 0, 0, 0, 0, 0, 0, 4, 6, 5, 7, 12, 11, 6, 4, 5, 9, 13, 12, 8, 5, 0, 0]
# Monday..Sunday
WEEKDAY_WEIGHTS = [0.85, 0.85, 0.9, 0.95, 1.15, 1.35, 1.2]
