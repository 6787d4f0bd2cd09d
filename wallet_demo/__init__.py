"""wallet_demo."""
