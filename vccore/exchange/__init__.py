"""Presentation exchange: the shapes a verifier and a wallet share to ask for and answer presentations."""
