"""The web layer shared by every domain: authentication, access, layout, errors."""
