"""Recognition: rule sets (model, conditions, evaluation, text), recognition credentials, the chain check
and its explanation."""
