"""Demo datasets the app can load in one click (online shop, subscription service, B2B lead funnel).

`make_samples.py` writes them deterministically into this folder (the generated .xlsx/.csv files are gitignored);
the app calls `ensure_samples()` and reads `SAMPLES` for names, descriptions and suggested goals. This package may
import numpy and openpyxl only — never `metrics`, `store`, `ui` or streamlit — so it can be run on its own.
"""
