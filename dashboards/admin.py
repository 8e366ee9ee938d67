# Models are registered here as the app grows.
