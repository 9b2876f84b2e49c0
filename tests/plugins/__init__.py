"""Plugins that live outside Listener's registries, named in configs by import path."""
