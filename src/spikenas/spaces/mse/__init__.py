"""MSE-NAS: micro (neuron operations), meso (circuit motifs) and macro (connectivity) search space."""
