"""Reporting: the regions' reporting and referral protocols, and who must hear of a report."""
