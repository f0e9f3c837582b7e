"""Xiezuo (协作): run and assess a paired poverty-alleviation cooperation programme."""
