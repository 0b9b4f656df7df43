"""The «Выявление школ» page: assessment results, the computed lists with explanations, charts."""
