"""Evaluation: completeness, life areas, flags, recommendations (evaluate), the plan (plan), results, comparison."""
