"""The QR payload codec (dictionary, base45, capacity), the symbol builder, renderers and the reader."""
