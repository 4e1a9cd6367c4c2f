"""The site: what wires the domains together for staff (the page shell, the account page's
sections); app.py, cli.py, jobs.py and demo/ share its rank."""
