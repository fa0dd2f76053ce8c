"""Reading what comes in: reports in every format, report 001, the restated corpus, report metadata and the labelled data sets."""
