"""Content sources: each turns one family of Zoom API answers into parts of the core model
(today: cloud recordings with the past meeting and its participants), and one assembler merges
the parts every source has for a meeting instance into its complete record."""
