"""The user jobs shared by the CLI, the app and the API: train a model, classify findings and reports, check one finding."""
