"""The release gate's leak rules, one module each, behind `base.Rule`."""
