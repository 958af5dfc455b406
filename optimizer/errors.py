"""The optimizer's one exception: a problem that is malformed."""


class InvalidProblem(ValueError):
    """The problem is malformed; the message names the field and the fault.

    `field` is a dotted path such as ``visits[3].windows[0]`` (empty when it is the whole problem).
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message
