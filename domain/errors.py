"""The one exception the domain raises when a command breaks a rule."""


class RuleViolation(Exception):
    """A command was refused; nothing was recorded.

    ``rule`` is a short stable name (for tests and machines), ``message``
    a one-line sentence for people that names the offending value.
    """

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
