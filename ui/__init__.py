"""The Streamlit app: reads the store's published snapshot, never writes."""
