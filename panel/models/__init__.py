from panel.models.api import ApiToken
from panel.models.customers import Customer
from panel.models.security import LoginFailure, LoginLock
from panel.models.users import User

__all__ = ["ApiToken", "Customer", "LoginFailure", "LoginLock", "User"]
