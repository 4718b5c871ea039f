"""Coaching: personal plans and nudges, with time always a parameter."""
