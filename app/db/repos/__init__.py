"""Repositories: the queries of the message pipeline, kept beside the tables (DESIGN §2).

The pipeline orchestrates (what happens, in which order, with which pacing); these modules
say how it is stored, in as few indexed queries per message as they can.
"""
