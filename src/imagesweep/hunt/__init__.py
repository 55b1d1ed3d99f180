"""Syslog hunt: the seed's Sentinel rule for network device image tampering, run locally.

Reads syslog files and Sentinel exports (readers), matches with Kusto ``has`` semantics
(match), extracts the rule's fields (extract), sets aside known-benign activity (tuning),
joins hits to an audit run (correlate) and writes hunt.csv (report). The detection itself is
data (indicators.yaml) and exports to KQL or Sigma (export). The click commands are in cli.
"""
