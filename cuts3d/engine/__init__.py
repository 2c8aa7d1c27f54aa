"""Training-loop glue: checkpoint policy, self-training rounds, hooks."""
