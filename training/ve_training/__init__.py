"""Vasculature Explorer's baseline trainer: a U-Net with a vessel-interior channel, from a labels folder to ONNX."""
