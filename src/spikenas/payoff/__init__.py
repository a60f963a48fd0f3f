"""Does the search pay? Train what a search found, what it ranked next, networks drawn at random from its
space and the hand-built baseline with one recipe, and compare (`spikenas payoff`)."""
