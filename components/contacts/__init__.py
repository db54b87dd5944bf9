"""Contacts in: text, CSV, TSV and XLSX read within limits into normalized, deduplicated recipients
and rejected rows, with phone numbers in the API's form."""

from components.contacts.phone import InvalidPhoneNumber, normalize_phone
from components.contacts.reading import ContactList, read_contacts

__all__ = ["ContactList", "InvalidPhoneNumber", "normalize_phone", "read_contacts"]
