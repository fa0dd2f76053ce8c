"""Learning themes: the codebook's embedders (torch and ONNX), features, the classifier, thresholds, and saving and loading models."""
