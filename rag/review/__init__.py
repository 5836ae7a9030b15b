"""The review workbench: evidence profiles, the evidence map and table, citation export, PRISMA flow."""
