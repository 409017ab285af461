from panel.models.customers import Customer
from panel.models.security import LoginFailure, LoginLock
from panel.models.users import User

__all__ = ["Customer", "LoginFailure", "LoginLock", "User"]
