"""Editing the codebook in the window: a context menu and drag-to-move on the codebook tree."""
