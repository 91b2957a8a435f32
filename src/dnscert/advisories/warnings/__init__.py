"""Watch and warning: rules that turn signals into targeted warnings, subscriptions, channels."""
