"""Front ends for running SavedModels (`loader.load`)."""
