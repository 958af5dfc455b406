"""Hand-over: delivery of the goods (with the installation) and the initial training."""
