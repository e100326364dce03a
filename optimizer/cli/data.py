"""Commands about the embedded dataset (``spreiding data``)."""
