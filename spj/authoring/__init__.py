"""The methodologists' toolkit: lint, spreadsheets, versions, inter-rater reliability, test cases, schemas."""
