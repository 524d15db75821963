"""Pure domain model: the rubric, score arithmetic, views, errors. Standard library only."""
