"""Capillary's sources (where a customer profile comes from), as every app names them."""

# register-customer.txt (docs.capillarytech.com/reference/v2-add-customer): the sources a profile can belong to.
SOURCE_CHOICES = [
    ("INSTORE", "In store"),
    ("WECHAT", "WeChat"),
    ("LINE", "LINE"),
    ("FACEBOOK", "Facebook"),
    ("WEB_ENGAGE", "WebEngage"),
    ("MARTJACK", "MartJack"),
    ("MOBILE_APP", "Mobile app"),
    ("ECOMMERCE", "E-commerce"),
    ("WEBSITE", "Website"),
    ("TMALL", "Tmall"),
    ("TAOBAO", "Taobao"),
    ("JD", "JD"),
]
# Sources with several accounts, where every call names the account (api-notes §4.6,
# docs.capillarytech.com/reference/get-customer-details-v2).
MULTI_ACCOUNT_SOURCES = frozenset({"FACEBOOK", "WEB_ENGAGE", "WECHAT", "MOBILE_APP", "LINE", "MARTJACK"})
ALL = "ALL"
# What an agent may search in: every source at once, or one.
SEARCH_SOURCE_CHOICES = [(ALL, "All sources"), *SOURCE_CHOICES]
