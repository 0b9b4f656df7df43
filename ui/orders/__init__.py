"""The «Приказы и письма» page: the register of orders, directives and letters, the editor of a
draft, its preview as it prints, signing and amendments."""
