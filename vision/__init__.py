"""Camera sidecar: faces and expressions -> audience emotion -> gateway (built in the vision issue)."""
