"""Answer time: route the question, choose evidence sentences, generate, verify citations, refuse when unsupported."""
