"""What the tests share: databases, servers, mail, factories. No test imports another test."""
