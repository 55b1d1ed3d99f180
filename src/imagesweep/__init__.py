"""imagesweep: audit network devices over SSH for tampered OS images (ATT&CK T1601.001)."""

__version__ = "0.1.0"
